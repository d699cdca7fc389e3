import type {
  BackstageCredentials,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  CHANGE_TYPE_ANNOTATIONS,
  parseChangeType,
  type ChangeType,
  type ChangeTypeAutomation,
} from '@cloud-ops/plugin-ops-common';
import {
  parameterSchemaFromTemplate,
  type ParameterSchema,
} from './parameterSchema';

/** A change type from the approved catalog with its parameter schema. */
export type ApprovedChangeType = ChangeType & {
  parameterSchema: ParameterSchema;
  /**
   * The template's form steps as written (`spec.parameters`), which the
   * scaffolder checks an execution's values against. Not served by the API.
   */
  formSteps?: unknown;
};

export type ChangeTypeFilter = {
  category?: string;
  automation?: ChangeTypeAutomation;
  /** Free text matched against id, title, description and classification. */
  q?: string;
};

/** Reads the approved change-type catalog. */
export interface ChangeTypeService {
  list(
    filter: ChangeTypeFilter,
    credentials: BackstageCredentials,
  ): Promise<ApprovedChangeType[]>;
  /**
   * The approved change type with this id: the given version, or when none
   * is given the newest approved version.
   */
  get(
    id: string,
    version: string | undefined,
    credentials: BackstageCredentials,
    options?: {
      /**
       * Also a deprecated version: no longer offered for new RFCs, but the
       * RFCs created with it still finish.
       */
      includeDeprecated?: boolean;
    },
  ): Promise<ApprovedChangeType | undefined>;
}

const compareVersions = (a: string, b: string) => {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
};

/**
 * Change types are Template entities carrying the change-type id annotation;
 * the approved catalog is the valid, non-deprecated ones. Read from the
 * catalog with the caller's credentials, so a change type is only offered to
 * those allowed to see its template.
 */
export class CatalogChangeTypeService implements ChangeTypeService {
  constructor(
    private readonly options: {
      catalog: CatalogService;
      logger: LoggerService;
    },
  ) {}

  private async approved(
    credentials: BackstageCredentials,
    includeDeprecated = false,
  ): Promise<ApprovedChangeType[]> {
    const { items } = await this.options.catalog.getEntities(
      {
        filter: {
          kind: 'Template',
          [`metadata.annotations.${CHANGE_TYPE_ANNOTATIONS.id}`]:
            CATALOG_FILTER_EXISTS,
        },
      },
      { credentials },
    );
    const result: ApprovedChangeType[] = [];
    for (const entity of items) {
      const parsed = parseChangeType(entity);
      if (!parsed.ok) {
        // The catalog module reports these to the template's owners.
        this.options.logger.debug(
          `Ignoring invalid change type template ${
            entity.metadata.name
          }: ${parsed.errors.join('; ')}`,
        );
        continue;
      }
      if (parsed.changeType.deprecated && !includeDeprecated) continue;
      const formSteps = (entity.spec as { parameters?: unknown } | undefined)
        ?.parameters;
      result.push({
        ...parsed.changeType,
        parameterSchema: parameterSchemaFromTemplate(formSteps),
        formSteps,
      });
    }
    return result;
  }

  async list(
    filter: ChangeTypeFilter,
    credentials: BackstageCredentials,
  ): Promise<ApprovedChangeType[]> {
    const q = filter.q?.trim().toLocaleLowerCase('en-US');
    return (await this.approved(credentials))
      .filter(
        ct =>
          !filter.category ||
          ct.classification.category.toLocaleLowerCase('en-US') ===
            filter.category.toLocaleLowerCase('en-US'),
      )
      .filter(ct => !filter.automation || ct.automation === filter.automation)
      .filter(ct => {
        if (!q) return true;
        const { category, subcategory, item, operation } = ct.classification;
        return [
          ct.id,
          ct.title,
          ct.description ?? '',
          category,
          subcategory,
          item,
          operation,
        ]
          .join(' ')
          .toLocaleLowerCase('en-US')
          .includes(q);
      })
      .sort(
        (a, b) =>
          a.id.localeCompare(b.id) || compareVersions(b.version, a.version),
      );
  }

  async get(
    id: string,
    version: string | undefined,
    credentials: BackstageCredentials,
    options?: { includeDeprecated?: boolean },
  ): Promise<ApprovedChangeType | undefined> {
    const candidates = (
      await this.approved(credentials, options?.includeDeprecated)
    )
      .filter(ct => ct.id === id)
      .sort((a, b) => compareVersions(b.version, a.version));
    if (version === undefined) {
      return candidates[0];
    }
    return candidates.find(ct => ct.version === version);
  }
}
