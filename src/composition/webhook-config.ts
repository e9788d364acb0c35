import { minProductionSecretBytes } from './settings.table';

type WebhookSettingValues = {
  readonly WEBHOOK_URLS?: string[];
  readonly WEBHOOK_SECRET?: string;
  readonly WEBHOOK_BATCH_MS: number;
  readonly WEBHOOK_BATCH_MAX: number;
  readonly WEBHOOK_TIMEOUT_MS: number;
  readonly WEBHOOK_MAX_AGE_MS: number;
};

/**
 * The most events an outbox holds for endpoints that are behind: in memory (about 300 MB at its fullest), or as
 * entries of Redis's transitions stream (its bound with webhooks on; the delivering node trims it to what they need).
 */
export const MAX_PENDING_EVENTS = 1_000_000;

/** CONTRACT §10's webhooks, when `WEBHOOK_URLS` names endpoints. */
export interface WebhookConfig {
  readonly urls: readonly string[];
  readonly secret: string;
  readonly batchMs: number;
  readonly batchMax: number;
  readonly timeoutMs: number;
  readonly maxAgeMs: number;
}

/** What is wrong with the webhook settings together: a secret is required with endpoints. */
export function webhookProblems(s: WebhookSettingValues): string[] {
  if (s.WEBHOOK_URLS === undefined || s.WEBHOOK_URLS.length === 0) return [];
  const problems: string[] = [];
  if (s.WEBHOOK_SECRET === undefined) problems.push('WEBHOOK_SECRET: must be set with WEBHOOK_URLS; receivers check every batch by it');
  else if (Buffer.byteLength(s.WEBHOOK_SECRET, 'utf8') < minProductionSecretBytes) {
    problems.push(`WEBHOOK_SECRET: must be at least ${minProductionSecretBytes} bytes (UTF-8); a shorter one can be guessed`);
  }
  return problems;
}

export function webhooksOf(s: WebhookSettingValues): WebhookConfig | null {
  if (s.WEBHOOK_URLS === undefined || s.WEBHOOK_URLS.length === 0 || s.WEBHOOK_SECRET === undefined) return null;
  return {
    urls: s.WEBHOOK_URLS,
    secret: s.WEBHOOK_SECRET,
    batchMs: s.WEBHOOK_BATCH_MS,
    batchMax: s.WEBHOOK_BATCH_MAX,
    timeoutMs: s.WEBHOOK_TIMEOUT_MS,
    maxAgeMs: s.WEBHOOK_MAX_AGE_MS,
  };
}
