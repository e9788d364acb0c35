/**
 * Online users by how many connections hold them online, in the buckets `presence_users_by_connections` reports.
 * A store counts them where the users are, so that reading the figures copies no user.
 */
export const CONNECTION_BUCKETS = ['1', '2', '3-5', '6-10', 'more'] as const;

export type ConnectionBucket = (typeof CONNECTION_BUCKETS)[number];

export type UsersByConnections = Record<ConnectionBucket, number>;

export function noUsersByConnections(): UsersByConnections {
  return { '1': 0, '2': 0, '3-5': 0, '6-10': 0, more: 0 };
}

/** The bucket of a user with that many connections (a stored user has at least one). */
export function connectionBucketOf(connections: number): ConnectionBucket {
  if (connections <= 1) return '1';
  if (connections === 2) return '2';
  if (connections <= 5) return '3-5';
  if (connections <= 10) return '6-10';
  return 'more';
}
