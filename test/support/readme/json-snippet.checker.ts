/**
 * Checks a README JSON block that shows an answer of the HTTP API: its info string names the answer
 * (```json GET /presence 200), and the JSON must match that answer's schema in openapi.yaml.
 */
import { specProblems } from '../openapi-spec';

export function jsonSnippetProblems(code: string, info: string): string[] {
  const answer = /^(GET|POST|PUT|PATCH|DELETE) (\/\S*) (\d{3})$/.exec(info);
  if (!answer) return [`a json block names the answer it shows, as in \`\`\`json GET /presence 200 (got "${info}")`];
  let body: unknown;
  try {
    body = JSON.parse(code);
  } catch (error) {
    return [`not JSON: ${(error as Error).message}`];
  }
  return specProblems(answer[1] as string, answer[2] as string, { status: Number(answer[3]), headers: { 'content-type': 'application/json' }, body, text: code });
}
