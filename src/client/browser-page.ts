/** The browser page the client runs in, if any: where idle detection listens by default. */
import { IdleDetector, type InputSource, type PageVisibility } from './idle-detector';
import type { IdleOptions } from './presence-client.types';

/** The service's default `PRESENCE_IDLE_MS`. */
const DEFAULT_IDLE_MS = 600_000;

/** The browser's `window` and `document`, as far as the client uses them; both absent in Node. */
export const browserPage = globalThis as unknown as { readonly window?: InputSource; readonly document?: PageVisibility };

/** The idle detector the options ask for: on where there is a page (or `inputs` is given), unless `false`. */
export function idleDetectorFor(idle: false | IdleOptions | undefined, report: (idle: boolean) => void): IdleDetector | undefined {
  if (idle === false) return undefined;
  const inputs = idle?.inputs ?? browserPage.window;
  if (inputs === undefined) return undefined;
  return new IdleDetector({ idleMs: idle?.idleMs ?? DEFAULT_IDLE_MS, report, inputs, page: idle?.page ?? browserPage.document });
}
