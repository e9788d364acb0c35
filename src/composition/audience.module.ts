import type { Container } from 'inversify';
import type { AudienceClaimNames } from '../adapters/auth/audience-claims';
import type { Config } from '../config';
import type { AudienceRules } from '../domain/audience';
import { AudienceReads } from '../domain/audience-reads';
import { TOKENS } from '../tokens';

/** The rules every surface applies (CONTRACT §9). */
export const audienceRulesOf = (config: Config): AudienceRules => ({ visibility: config.audience.visibility });

/**
 * The claims a token's audience is read from: its tenant when tenants are on, its type only when visibility is on (with it off, types decide
 * nothing, and a token's type claim is not held against the type a client announces).
 */
export const audienceClaimNames = (config: Config): AudienceClaimNames => ({
  tenant: config.audience.tenantClaim,
  userType: config.audience.visibility === null ? null : config.audience.userTypeClaim,
});

/** Who sees whom: the rules, and the service's reads as each viewer may see them. */
export function bindAudience(c: Container, config: Config): void {
  c.bind(TOKENS.AudienceRules).toConstantValue(audienceRulesOf(config));
  c.bind(TOKENS.AudienceReads).toDynamicValue((ctx) => new AudienceReads(ctx.get(TOKENS.PresenceService), ctx.get(TOKENS.AudienceRules)));
}
