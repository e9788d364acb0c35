/** A read answered with this many users costs one token more (CONTRACT §11: a read costs what its answer costs). */
export const USERS_PER_READ_TOKEN = 1_000;

/** What a read of `users` users costs: 1, plus 1 per `USERS_PER_READ_TOKEN` users. */
export const readCost = (users: number): number => 1 + Math.floor(users / USERS_PER_READ_TOKEN);

/**
 * A subscription with this many listed ids costs one token more: each id is validated, indexed and looked up for its
 * state (and read from the database when offline), twice the work of a listed user.
 */
export const IDS_PER_SUBSCRIPTION_TOKEN = 500;

/** What a subscription listing `ids` ids costs: 1, plus 1 per `IDS_PER_SUBSCRIPTION_TOKEN` ids. */
export const subscriptionCost = (ids: number): number => 1 + Math.floor(ids / IDS_PER_SUBSCRIPTION_TOKEN);
