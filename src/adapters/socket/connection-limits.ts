import type { TenantUser, UserKey } from '../../domain/presence.types';
import { keyOfUser } from '../../domain/presence.types';

export interface ConnectionLimitSettings {
  /** Connections one user may hold on this node; the next one is refused. */
  readonly perUser: number;
  /** Connections one remote address may hold on this node; 0: no limit. */
  readonly perAddress: number;
}

/**
 * Counts this node's connections by user and by remote address, and refuses the one over a limit (the new one:
 * an attacker holding a stolen token cannot push the user's own sessions out).
 */
export class ConnectionLimits {
  private readonly byUser = new Map<UserKey, number>();
  private readonly byAddress = new Map<string, number>();
  private admitted = 0;

  constructor(private readonly settings: ConnectionLimitSettings) {}

  /** Takes a place for the address, or says why not. */
  admitAddress(address: string): string | undefined {
    if (this.settings.perAddress > 0 && (this.byAddress.get(address) ?? 0) >= this.settings.perAddress) {
      return `more than ${this.settings.perAddress} connections from one address`;
    }
    this.byAddress.set(address, (this.byAddress.get(address) ?? 0) + 1);
    this.admitted += 1;
    return undefined;
  }

  releaseAddress(address: string): void {
    decrement(this.byAddress, address);
    this.admitted -= 1;
  }

  /** Connections admitted and not yet closed: every authenticated socket of this node holds one place. */
  get open(): number {
    return this.admitted;
  }

  /** Takes a place for the user, or says why not. */
  admitUser(user: TenantUser): string | undefined {
    const key = keyOfUser(user);
    if ((this.byUser.get(key) ?? 0) >= this.settings.perUser) return `more than ${this.settings.perUser} connections for one user`;
    this.byUser.set(key, (this.byUser.get(key) ?? 0) + 1);
    return undefined;
  }

  releaseUser(user: TenantUser): void {
    decrement(this.byUser, keyOfUser(user));
  }
}

function decrement<K>(counts: Map<K, number>, key: K): void {
  const left = (counts.get(key) ?? 0) - 1;
  if (left > 0) counts.set(key, left);
  else counts.delete(key);
}
