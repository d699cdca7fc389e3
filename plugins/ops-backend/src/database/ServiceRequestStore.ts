import type { DatabaseService } from '@backstage/backend-plugin-api';
import { ConflictError } from '@backstage/errors';
import {
  parseSequenceId,
  type ServiceRequest,
  type ServiceRequestMessage,
  type ServiceRequestStatus,
  type ServiceRequestTopic,
} from '@cloud-ops/plugin-ops-common';
import type { Knex } from 'knex';
import { migrateOpsDatabase } from './OperationsSnapshotStore';

const REQUESTS = 'ops_service_requests';
const MESSAGES = 'ops_service_request_messages';
const ID_CHUNK = 500;

/** Formats the readable id of a service request, e.g. `SR-000012`. */
export function formatServiceRequestId(sequence: number): string {
  return `SR-${String(sequence).padStart(6, '0')}`;
}

/**
 * The number inside a service request id, or undefined when it is not one or
 * is out of range.
 */
export function parseServiceRequestId(id: string): number | undefined {
  return /^SR-\d{6,15}$/.test(id) ? parseSequenceId('SR', id) : undefined;
}

/** A message as written; the store stamps nothing but its id. */
export type NewServiceRequestMessage = Omit<ServiceRequestMessage, 'id'>;

export type NewServiceRequest = {
  title: string;
  topic: ServiceRequestTopic;
  /** Lower-cased group ref. */
  team: string;
  requester: string;
  entityRef?: string;
  /** The question; becomes the first message. */
  message: NewServiceRequestMessage;
};

export type ServiceRequestListQuery = {
  status?: ServiceRequestStatus;
  /** Only these teams; undefined means every team, empty means none. */
  teams?: string[];
  limit: number;
  offset: number;
};

/** One change of a request: a new status and the messages that caused it. */
export type ServiceRequestUpdate = {
  id: string;
  /** The version the change was decided on; a different one is a conflict. */
  expectedVersion: number;
  toStatus: ServiceRequestStatus;
  messages: NewServiceRequestMessage[];
  at: string;
};

/** Persistence of service requests and their threads. */
export interface ServiceRequestStore {
  create(request: NewServiceRequest): Promise<ServiceRequest>;
  /** The request with its messages. */
  get(id: string): Promise<ServiceRequest | undefined>;
  /** Newest first, without messages. */
  list(
    query: ServiceRequestListQuery,
  ): Promise<{ items: ServiceRequest[]; totalCount: number }>;
  /**
   * Applies a change in one transaction, only if the request is still at
   * `expectedVersion` and not closed; otherwise a ConflictError.
   */
  update(update: ServiceRequestUpdate): Promise<ServiceRequest>;
  /** Requests of a team opened, and closed, within `[from, to)`. */
  countForTeam(
    team: string,
    from: string,
    to: string,
  ): Promise<{ opened: number; closed: number }>;
}

type RequestRow = {
  id: number;
  title: string;
  topic: string;
  team: string;
  requester: string;
  entity_ref: string | null;
  status: string;
  created_at: string;
  updated_at: string;
  closed_at: string | null;
  version: number;
};

type MessageRow = {
  id: number;
  request_id: number;
  author: string;
  side: string;
  body: string;
  at: string;
};

function toRequest(row: RequestRow, messages?: MessageRow[]): ServiceRequest {
  return {
    id: formatServiceRequestId(Number(row.id)),
    title: row.title,
    topic: row.topic as ServiceRequestTopic,
    team: row.team,
    requester: row.requester,
    ...(row.entity_ref ? { entityRef: row.entity_ref } : {}),
    status: row.status as ServiceRequestStatus,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    ...(row.closed_at ? { closedAt: row.closed_at } : {}),
    version: Number(row.version),
    ...(messages ? { messages: messages.map(toMessage) } : {}),
  };
}

function toMessage(row: MessageRow): ServiceRequestMessage {
  return {
    id: Number(row.id),
    author: row.author,
    side: row.side as ServiceRequestMessage['side'],
    body: row.body,
    at: row.at,
  };
}

/** Knex implementation of {@link ServiceRequestStore}, on SQLite and PostgreSQL. */
export class DatabaseServiceRequestStore implements ServiceRequestStore {
  /** Runs the migrations (unless the database service skips them) and connects. */
  static async create(options: {
    database: DatabaseService;
  }): Promise<DatabaseServiceRequestStore> {
    return new DatabaseServiceRequestStore(
      await migrateOpsDatabase(options.database),
    );
  }

  constructor(private readonly db: Knex) {}

  async create(request: NewServiceRequest): Promise<ServiceRequest> {
    const at = request.message.at;
    const row: Omit<RequestRow, 'id'> = {
      title: request.title,
      topic: request.topic,
      team: request.team,
      requester: request.requester,
      entity_ref: request.entityRef ?? null,
      status: 'AwaitingCentralIt',
      created_at: at,
      updated_at: at,
      closed_at: null,
      version: 1,
    };
    return this.db.transaction(async tx => {
      const [inserted] = await tx<RequestRow>(REQUESTS)
        .insert(row)
        .returning('id');
      const id = Number(
        typeof inserted === 'object'
          ? (inserted as { id: number }).id
          : inserted,
      );
      const [message] = await tx<MessageRow>(MESSAGES)
        .insert({ request_id: id, ...request.message })
        .returning('*');
      return toRequest({ ...row, id }, [message as MessageRow]);
    });
  }

  async get(id: string): Promise<ServiceRequest | undefined> {
    const seq = parseServiceRequestId(id);
    if (seq === undefined) return undefined;
    return this.read(this.db, seq);
  }

  async list(
    query: ServiceRequestListQuery,
  ): Promise<{ items: ServiceRequest[]; totalCount: number }> {
    if (query.teams && query.teams.length === 0) {
      return { items: [], totalCount: 0 };
    }
    const filtered = () => {
      const q = this.db<RequestRow>(REQUESTS);
      if (query.status) q.where('status', query.status);
      if (query.teams) {
        const teams = query.teams;
        q.where(inner => {
          for (let i = 0; i < teams.length; i += ID_CHUNK) {
            inner.orWhereIn('team', teams.slice(i, i + ID_CHUNK));
          }
        });
      }
      return q;
    };
    const [count] = await filtered().count({ n: '*' });
    const rows = (await filtered()
      .orderBy('id', 'desc')
      .limit(query.limit)
      .offset(query.offset)) as RequestRow[];
    return {
      items: rows.map(row => toRequest(row)),
      totalCount: Number((count as { n: number | string }).n),
    };
  }

  async update(update: ServiceRequestUpdate): Promise<ServiceRequest> {
    const seq = parseServiceRequestId(update.id);
    if (seq === undefined) {
      throw new ConflictError(`${update.id} is not a service request id`);
    }
    return this.db.transaction(async tx => {
      const changed = await tx<RequestRow>(REQUESTS)
        .where({ id: seq, version: update.expectedVersion })
        .whereNot('status', 'Closed')
        .update({
          status: update.toStatus,
          updated_at: update.at,
          version: update.expectedVersion + 1,
          ...(update.toStatus === 'Closed' ? { closed_at: update.at } : {}),
        });
      if (changed !== 1) {
        const current = await tx<RequestRow>(REQUESTS)
          .where({ id: seq })
          .first('status', 'version');
        if (current?.status === 'Closed') {
          throw new ConflictError(
            `${update.id} is closed; open a new service request instead`,
          );
        }
        throw new ConflictError(
          `${update.id} changed since version ${update.expectedVersion} was read; reload it and try again`,
        );
      }
      if (update.messages.length > 0) {
        await tx<MessageRow>(MESSAGES).insert(
          update.messages.map(m => ({ request_id: seq, ...m })),
        );
      }
      return (await this.read(tx, seq))!;
    });
  }

  async countForTeam(
    team: string,
    from: string,
    to: string,
  ): Promise<{ opened: number; closed: number }> {
    const count = async (column: 'created_at' | 'closed_at') => {
      const [row] = await this.db<RequestRow>(REQUESTS)
        .where('team', team)
        .where(column, '>=', from)
        .where(column, '<', to)
        .count({ n: '*' });
      return Number((row as { n: number | string }).n);
    };
    return {
      opened: await count('created_at'),
      closed: await count('closed_at'),
    };
  }

  private async read(
    db: Knex,
    seq: number,
  ): Promise<ServiceRequest | undefined> {
    const row = await db<RequestRow>(REQUESTS).where({ id: seq }).first();
    if (!row) return undefined;
    const messages = await db<MessageRow>(MESSAGES)
      .where({ request_id: seq })
      .orderBy('id', 'asc');
    return toRequest(row, messages);
  }
}
