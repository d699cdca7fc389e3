import type {
  BackstageCredentials,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import { stringifyEntityRef } from '@backstage/catalog-model';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  CHANGE_TYPE_ANNOTATIONS,
  changeTypeGovernanceProblems,
  isChangeTypeAllowedFor,
  parseChangeType,
  type ChangeType,
  type ChangeTypeAutomation,
  type ChangeTypeGovernance,
} from '@cloud-ops/plugin-ops-common';
import type { Callers } from '../Callers/Callers';
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

/** What governance decided about one change-type template. */
export type ChangeTypeDecision = {
  templateRef: string;
  changeTypeId: string;
  version: string;
  decision: 'accepted' | 'refused';
  reasons: string[];
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
 * the approved catalog is the valid, non-deprecated ones that governance
 * allows: owned by Central IT, from a trusted location, with an id and
 * version no other template claims. Read from the catalog with the caller's
 * credentials, so a change type is only offered to those allowed to see its
 * template; role-based change types (`cloud-ops.io/allowed-groups`) are
 * offered only to their groups and Central IT.
 */
export class CatalogChangeTypeService implements ChangeTypeService {
  constructor(
    private readonly options: {
      catalog: CatalogService;
      logger: LoggerService;
      governance: ChangeTypeGovernance;
      /** Filters role-based change types for the caller, when given. */
      callers?: Callers;
      /**
       * Told about each governance decision that differs from the last one
       * this process passed on for the template, e.g. for the audit log.
       */
      onDecision?: (decision: ChangeTypeDecision) => Promise<void>;
    },
  ) {}

  /** Digest of the last decision passed on, per template. */
  private readonly passedOn = new Map<string, string>();

  /**
   * Reads every change-type template with the given (the backend's own)
   * credentials, so that templates hidden from people are judged too, and
   * passes each changed decision on. Returns how many it passed on.
   */
  async recordDecisions(credentials: BackstageCredentials): Promise<number> {
    const { decisions } = await this.evaluate(credentials, true);
    let passed = 0;
    for (const decision of decisions) {
      const digest = JSON.stringify([
        decision.changeTypeId,
        decision.version,
        decision.decision,
        [...decision.reasons].sort(),
      ]);
      if (this.passedOn.get(decision.templateRef) === digest) continue;
      try {
        await this.options.onDecision?.(decision);
        this.passedOn.set(decision.templateRef, digest);
        passed += 1;
      } catch (error) {
        this.options.logger.warn(
          `Could not record the decision on ${decision.templateRef}: ${error}`,
        );
      }
    }
    return passed;
  }

  private async approved(
    credentials: BackstageCredentials,
    includeDeprecated = false,
  ): Promise<ApprovedChangeType[]> {
    return (await this.evaluate(credentials, includeDeprecated)).result;
  }

  private async evaluate(
    credentials: BackstageCredentials,
    includeDeprecated: boolean,
  ): Promise<{
    result: ApprovedChangeType[];
    decisions: ChangeTypeDecision[];
  }> {
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
    const candidates: ApprovedChangeType[] = [];
    const decisions: ChangeTypeDecision[] = [];
    for (const entity of items) {
      const parsed = parseChangeType(entity);
      const templateRef = stringifyEntityRef(entity);
      const reasons = [
        ...(parsed.ok ? [] : parsed.errors),
        ...changeTypeGovernanceProblems(entity, this.options.governance),
      ];
      if (!parsed.ok || reasons.length) {
        // The catalog module reports these on the template's page.
        this.options.logger.debug(
          `Refusing change type template ${templateRef}: ${reasons.join('; ')}`,
        );
        decisions.push({
          templateRef,
          changeTypeId:
            entity.metadata.annotations?.[CHANGE_TYPE_ANNOTATIONS.id] ?? '',
          version:
            entity.metadata.annotations?.[CHANGE_TYPE_ANNOTATIONS.version] ??
            '',
          decision: 'refused',
          reasons,
        });
        continue;
      }
      const formSteps = (entity.spec as { parameters?: unknown } | undefined)
        ?.parameters;
      candidates.push({
        ...parsed.changeType,
        parameterSchema: parameterSchemaFromTemplate(formSteps),
        formSteps,
      });
    }
    // An id and version two templates claim is nobody's: both are refused.
    const claims = new Map<string, string[]>();
    for (const ct of candidates) {
      const key = `${ct.id}@${ct.version}`;
      claims.set(key, [...(claims.get(key) ?? []), ct.templateRef]);
    }
    const result: ApprovedChangeType[] = [];
    for (const ct of candidates) {
      const holders = claims.get(`${ct.id}@${ct.version}`)!;
      if (holders.length > 1) {
        decisions.push({
          templateRef: ct.templateRef,
          changeTypeId: ct.id,
          version: ct.version,
          decision: 'refused',
          reasons: [
            `change type ${ct.id} version ${
              ct.version
            } is also defined by ${holders
              .filter(h => h !== ct.templateRef)
              .join(', ')}`,
          ],
        });
        continue;
      }
      decisions.push({
        templateRef: ct.templateRef,
        changeTypeId: ct.id,
        version: ct.version,
        decision: 'accepted',
        reasons: [],
      });
      if (ct.deprecated && !includeDeprecated) continue;
      result.push(ct);
    }
    return { result, decisions };
  }

  /** Role-based change types the caller is not in are left out. */
  private async forCaller(
    types: ApprovedChangeType[],
    credentials: BackstageCredentials,
  ): Promise<ApprovedChangeType[]> {
    const callers = this.options.callers;
    if (!callers || !types.some(t => t.allowedGroups)) return types;
    // Scheduled work (the executor) reads with the plugin's own credentials.
    if ((credentials.principal as { type?: string }).type !== 'user') {
      return types;
    }
    const caller = await callers.user(credentials, 'read change types');
    if (caller.centralIt) return types;
    return types.filter(t =>
      isChangeTypeAllowedFor(t, caller.ownershipEntityRefs),
    );
  }

  async list(
    filter: ChangeTypeFilter,
    credentials: BackstageCredentials,
  ): Promise<ApprovedChangeType[]> {
    const q = filter.q?.trim().toLocaleLowerCase('en-US');
    return (await this.forCaller(await this.approved(credentials), credentials))
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
