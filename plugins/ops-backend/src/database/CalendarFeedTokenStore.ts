import { createHash, randomBytes } from 'node:crypto';
import type { DatabaseService } from '@backstage/backend-plugin-api';
import { ConflictError } from '@backstage/errors';
import type { Knex } from 'knex';
import { DatabaseAuditLog, type AuditLog } from '../services/Audit';
import { migrateOpsDatabase } from './OperationsSnapshotStore';

const TOKENS = 'ops_calendar_feed_tokens';

/** A feed token as its owner sees it; the secret is shown once, at creation. */
export type CalendarFeedToken = {
  id: number;
  userEntityRef: string;
  label: string;
  /** The team the feed is for; absent for every team the user sees. */
  feedOwner?: string;
  createdAt: string;
  lastUsedAt?: string;
  revokedAt?: string;
};

type TokenRow = {
  id: number;
  token_hash: string;
  user_entity_ref: string;
  label: string;
  feed_owner: string | null;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
};

/** Tokens start with this, so a leaked one is recognisable. */
export const FEED_TOKEN_PREFIX = 'opsfeed_';
const TOKEN_PATTERN = /^opsfeed_[A-Za-z0-9_-]{43}$/;
/** Most live tokens one person may hold. */
export const MAX_FEED_TOKENS_PER_USER = 10;

const hash = (token: string) =>
  createHash('sha256').update(token, 'utf8').digest('hex');

function toToken(row: TokenRow): CalendarFeedToken {
  return {
    id: Number(row.id),
    userEntityRef: row.user_entity_ref,
    label: row.label,
    ...(row.feed_owner ? { feedOwner: row.feed_owner } : {}),
    createdAt: row.created_at,
    ...(row.last_used_at ? { lastUsedAt: row.last_used_at } : {}),
    ...(row.revoked_at ? { revokedAt: row.revoked_at } : {}),
  };
}

/**
 * Per-user tokens of the iCalendar feed. Only their SHA-256 is kept: a
 * database reader cannot subscribe as someone else. Creating and revoking
 * one is recorded in the audit log.
 */
export class CalendarFeedTokenStore {
  static async create(options: {
    database: DatabaseService;
    audit?: AuditLog;
  }): Promise<CalendarFeedTokenStore> {
    const db = await migrateOpsDatabase(options.database);
    return new CalendarFeedTokenStore(
      db,
      options.audit ?? new DatabaseAuditLog({ db }),
    );
  }

  constructor(private readonly db: Knex, private readonly audit: AuditLog) {}

  /** Issues a token; returns it in clear once. */
  async issue(options: {
    userEntityRef: string;
    label: string;
    feedOwner?: string;
    at: string;
  }): Promise<{ token: string; feedToken: CalendarFeedToken }> {
    const token = `${FEED_TOKEN_PREFIX}${randomBytes(32).toString(
      'base64url',
    )}`;
    return this.db.transaction(async tx => {
      const live = await tx<TokenRow>(TOKENS)
        .where({ user_entity_ref: options.userEntityRef })
        .whereNull('revoked_at')
        .count({ n: '*' })
        .first();
      if (Number(live?.n ?? 0) >= MAX_FEED_TOKENS_PER_USER) {
        throw new ConflictError(
          `you hold ${MAX_FEED_TOKENS_PER_USER} feed tokens already; revoke one first`,
        );
      }
      const [inserted] = await tx<TokenRow>(TOKENS)
        .insert({
          token_hash: hash(token),
          user_entity_ref: options.userEntityRef,
          label: options.label,
          feed_owner: options.feedOwner ?? null,
          created_at: options.at,
        })
        .returning('id');
      const id = Number(
        typeof inserted === 'object'
          ? (inserted as { id: number }).id
          : inserted,
      );
      const row = (await tx<TokenRow>(TOKENS).where({ id }).first())!;
      const feedToken = toToken(row);
      await this.audit.append(tx, {
        subject: `feed-token:${id}`,
        actor: options.userEntityRef,
        action: 'feed-token-create',
        before: null,
        after: feedToken,
      });
      return { token, feedToken };
    });
  }

  async list(userEntityRef: string): Promise<CalendarFeedToken[]> {
    const rows = await this.db<TokenRow>(TOKENS)
      .where({ user_entity_ref: userEntityRef })
      .orderBy('id');
    return rows.map(toToken);
  }

  /** Revokes one of the user's tokens; false when they hold no such live token. */
  async revoke(
    id: number,
    userEntityRef: string,
    at: string,
  ): Promise<boolean> {
    return this.db.transaction(async tx => {
      const before = await tx<TokenRow>(TOKENS)
        .where({ id, user_entity_ref: userEntityRef })
        .whereNull('revoked_at')
        .first();
      if (!before) return false;
      await tx<TokenRow>(TOKENS).where({ id }).update({ revoked_at: at });
      const after = (await tx<TokenRow>(TOKENS).where({ id }).first())!;
      await this.audit.append(tx, {
        subject: `feed-token:${id}`,
        actor: userEntityRef,
        action: 'feed-token-revoke',
        before: toToken(before),
        after: toToken(after),
      });
      return true;
    });
  }

  /** The live token behind a secret, marked as used; undefined otherwise. */
  async resolve(
    token: string,
    at: string,
  ): Promise<CalendarFeedToken | undefined> {
    if (!TOKEN_PATTERN.test(token)) return undefined;
    const row = await this.db<TokenRow>(TOKENS)
      .where({ token_hash: hash(token) })
      .whereNull('revoked_at')
      .first();
    if (!row) return undefined;
    await this.db<TokenRow>(TOKENS)
      .where({ id: row.id })
      .update({ last_used_at: at });
    return toToken({ ...row, last_used_at: at });
  }
}
