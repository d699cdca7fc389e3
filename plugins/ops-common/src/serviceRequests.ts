/**
 * Service requests: a business-unit team asks Central IT for information and
 * the two sides reply in a thread until the request is closed.
 */

/**
 * - `AwaitingCentralIt`: the team asked or replied; Central IT is next.
 * - `AwaitingTeam`: Central IT replied; the team is next.
 * - `Closed`: either side closed it; nothing more can be added.
 *
 * @public
 */
export type ServiceRequestStatus =
  | 'AwaitingCentralIt'
  | 'AwaitingTeam'
  | 'Closed';

/** @public */
export const SERVICE_REQUEST_STATUSES: readonly ServiceRequestStatus[] = [
  'AwaitingCentralIt',
  'AwaitingTeam',
  'Closed',
];

/** What the request is about, after the seed's wording. @public */
export type ServiceRequestTopic =
  | 'managed-environment'
  | 'central-it'
  | 'aws-service-offerings';

/** @public */
export const SERVICE_REQUEST_TOPICS: readonly ServiceRequestTopic[] = [
  'managed-environment',
  'central-it',
  'aws-service-offerings',
];

/** One message of a request's thread. @public */
export type ServiceRequestMessage = {
  id: number;
  /** User entity ref. */
  author: string;
  /** Which side wrote it. */
  side: 'team' | 'central-it';
  body: string;
  at: string;
};

/** @public */
export type ServiceRequest = {
  /** Readable id, e.g. `SR-000012`. */
  id: string;
  title: string;
  topic: ServiceRequestTopic;
  /** The asking team (a group ref). */
  team: string;
  /** User entity ref of whoever opened it. */
  requester: string;
  /** Optional entity the question is about. */
  entityRef?: string;
  status: ServiceRequestStatus;
  createdAt: string;
  updatedAt: string;
  closedAt?: string;
  version: number;
  /** The thread, oldest first; the first message is the question. Omitted in lists. */
  messages?: ServiceRequestMessage[];
};
