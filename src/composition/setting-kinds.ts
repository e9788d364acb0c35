/** The kinds of setting `config.ts` reads: each makes a setting's schema and its description from the same numbers. */
import { z } from 'zod';

/** What the README's settings table says of a setting; a test holds the table and these equal. */
export interface SettingDescription {
  /** The value taken when it is unset, as written in the environment; undefined when there is none (or it is derived). */
  readonly default: string | undefined;
  /** What it accepts, in words; the table says the same, with values in backticks. */
  readonly accepts: string;
  /** A whole number's bounds, both included. */
  readonly min?: number;
  readonly max?: number;
  /** The only values it takes. */
  readonly values?: readonly string[];
}

/** A setting's schema and its description, made by one helper from the same numbers and words. */
export interface Setting<S extends z.ZodType> extends SettingDescription {
  readonly schema: S;
}

export const setting = <S extends z.ZodType>(
  schema: S,
  fallback: string | undefined,
  accepts: string,
  bounds: Pick<SettingDescription, 'min' | 'max' | 'values'> = {},
): Setting<S> => ({ schema, default: fallback, accepts, ...bounds });

export const integer = (fallback: number, min: number, max = Number.MAX_SAFE_INTEGER) =>
  setting(
    z
      .string()
      .trim()
      .regex(/^\d+$/, 'must be a whole number')
      .transform(Number)
      .pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`))
      .default(fallback),
    String(fallback),
    max === Number.MAX_SAFE_INTEGER ? `${min} or more` : `${min} to ${max}`,
    { min, max },
  );

export const flagValues = ['true', 'false', '1', '0'] as const;
export const flag = (fallback: boolean) =>
  setting(
    z
      .enum(flagValues, { message: 'must be true or false' })
      .transform((v) => v === 'true' || v === '1')
      .default(fallback),
    String(fallback),
    flagValues.join(', '),
    { values: flagValues },
  );

export const oneOf = <const V extends readonly [string, ...string[]]>(values: V, fallback: V[number]) =>
  setting(z.enum(values).default(fallback), fallback, values.join(', '), { values });

export const optionalOneOf = <const V extends readonly [string, ...string[]]>(values: V) =>
  setting(z.enum(values).optional(), undefined, values.join(', '), { values });

/** A string matching `pattern`; `what` both names it in the error (`must be …`) and in the table. */
export const text = (pattern: RegExp, what: string, fallback: string) =>
  setting(z.string().regex(pattern, `must be ${what}`).default(fallback), fallback, what);

export const optionalText = (pattern: RegExp, what: string) => setting(z.string().regex(pattern, `must be ${what}`).optional(), undefined, what);

export const secret = (accepts = 'any text') => setting(z.string().trim().min(1).optional().catch(undefined), undefined, accepts);
