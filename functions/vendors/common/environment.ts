/**
 * What every vendor client reads from its environment at cold start, read one way: the endpoint override
 * (`VENDOR_ENDPOINT_<VENDOR>`) and the credential variables its descriptor names (docs/architecture.md,
 * "Configuration"). Both fail fast: a bad value stops the λ at cold start with the variable's name, never a value.
 */

/** The environment variable naming a vendor's endpoint override, e.g. `VENDOR_ENDPOINT_HUAWEI_LIVE`. */
export function endpointEnvFor(vendor: string): string {
  return `VENDOR_ENDPOINT_${vendor.toUpperCase().replaceAll('-', '_')}`;
}

/** The endpoint override `name` of `env`, `undefined` when unset or blank; throws when it is not an http(s) URL. */
export function endpointFromEnv(env: NodeJS.ProcessEnv, name: string): URL | undefined {
  const value = env[name]?.trim();
  if (!value) return undefined;
  if (!URL.canParse(value)) throw new Error(`${name} is not a URL: ${JSON.stringify(value)}`);
  const url = new URL(value);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`${name} must be an http(s) URL`);
  return url;
}

/** The credential variables `names` of `env`, trimmed; throws naming every missing one, so one deploy fixes them all. */
export function credentialsFromEnv<const N extends string>(
  env: NodeJS.ProcessEnv,
  names: readonly N[],
  what: string,
): Record<N, string> {
  const missing = names.filter((name) => !env[name]?.trim());
  if (missing.length > 0) throw new Error(`missing ${what}: set ${missing.join(', ')}`);
  return Object.fromEntries(names.map((name) => [name, env[name]!.trim()])) as Record<N, string>;
}
