import { execFileSync } from 'node:child_process';

/**
 * Bytes the kernel holds between the service and some client ports on loopback: the service's unsent (its sockets'
 * Send-Q towards those ports) and the clients' unread (their Recv-Q). Output that piles up for a client that stops
 * reading sits here first, where the service's RSS does not show it.
 */
export function queuedBytes(clientPorts: ReadonlySet<number>): { unsentByService: number; unreadByClients: number } {
  const portOf = (address: string): number => Number(address.slice(address.lastIndexOf(':') + 1));
  let unsentByService = 0;
  let unreadByClients = 0;
  if (clientPorts.size === 0) return { unsentByService, unreadByClients };
  const filter = [...clientPorts].map((port) => `sport = :${port} or dport = :${port}`).join(' or ');
  const listing = execFileSync('ss', ['-tnH', 'state', 'established', `( ${filter} )`], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  for (const line of listing.split('\n')) {
    const [recvQ, sendQ, local, peer] = line.trim().split(/\s+/);
    if (local === undefined || peer === undefined) continue;
    if (clientPorts.has(portOf(peer))) unsentByService += Number(sendQ);
    if (clientPorts.has(portOf(local))) unreadByClients += Number(recvQ);
  }
  return { unsentByService, unreadByClients };
}
