/**
 * Vendor credentials on AWS (docs/architecture.md, "Configuration"): the vendor λ reads its own Secrets Manager secret,
 * named by `VENDOR_SECRET_ARN`, whose JSON object holds the same variable names the client's `fromEnv` reads locally.
 * The values are laid over the environment and the client is built from it exactly as the local stack builds it, so
 * `fromEnv` stays the one way a client gets its credentials. Without `VENDOR_SECRET_ARN` the environment itself is
 * used.
 *
 * The secret is cached per instance (Powertools parameters, `SECRETS.cacheSeconds`); when a refresh finds new values
 * (a rotation), the client is rebuilt with them. Credentials live in the λ's memory only: never in the workflow's
 * state, never in a log line or an error message (errors name the secret and its missing keys, never a value).
 */
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SECRETS } from '../domain/config.ts';
import type { ProvisionRequest, VendorId } from '../domain/contract.ts';
import { InvalidRequestError, VendorAuthFailedError, VendorUnavailableError } from '../domain/errors.ts';
import { tracer } from '../domain/observability.ts';
import {
  CREDENTIALS_PLACEHOLDER,
  VENDOR_CREDENTIAL_KEYS,
  VENDOR_SECRET_ARN_ENV,
} from '../domain/vendor-credentials.ts';
import type { CreateOptions, StepOptions, TeardownTarget, VendorClient } from '../vendors/types.ts';

/** Reads one secret's string; `SecretsProvider` (cached) in the Lambda entries, a fake in tests. */
export interface SecretSource {
  get(name: string, options: { maxAge: number }): Promise<unknown>;
}

export interface VendorClientOptions {
  readonly vendor: VendorId;
  /** The λ's environment (`process.env`). */
  readonly env: NodeJS.ProcessEnv;
  /** Builds the vendor client from an environment: the vendor's `fromEnv` with the instance's pace function. */
  readonly build: (env: NodeJS.ProcessEnv) => VendorClient;
  /** @default a SecretsProvider over a traced SecretsManagerClient */
  readonly secrets?: SecretSource;
  /** @default SECRETS.cacheSeconds */
  readonly cacheSeconds?: number;
}

/**
 * The vendor client of a λ instance: built from the environment when no secret is configured (locally), else a client
 * that resolves its credentials from the vendor's secret before each call (a cache hit after the first).
 */
export function vendorClientFromEnv(options: VendorClientOptions): VendorClient {
  const secretArn = options.env[VENDOR_SECRET_ARN_ENV]?.trim();
  if (!secretArn) return options.build(options.env);
  return new SecretBackedClient(options, secretArn);
}

/** Secrets Manager errors that retrying cannot cure: the secret or the λ's access to it is misconfigured. */
const PERMANENT_SECRET_ERRORS = new Set([
  'AccessDeniedException',
  'ResourceNotFoundException',
  'DecryptionFailure',
  'InvalidRequestException',
  'InvalidParameterException',
]);

class SecretBackedClient implements VendorClient {
  readonly vendor: VendorId;
  private readonly keys: readonly string[];
  private readonly secrets: SecretSource;
  private readonly cacheSeconds: number;
  private client: VendorClient | undefined;
  private values: readonly string[] = [];

  constructor(
    private readonly options: VendorClientOptions,
    private readonly secretArn: string,
  ) {
    this.vendor = options.vendor;
    this.keys = VENDOR_CREDENTIAL_KEYS[options.vendor];
    this.secrets =
      options.secrets ??
      new SecretsProvider({ awsSdkV3Client: tracer.captureAWSv3Client(new SecretsManagerClient({})) });
    this.cacheSeconds = options.cacheSeconds ?? SECRETS.cacheSeconds;
  }

  async createFlow(request: ProvisionRequest, options?: CreateOptions) {
    return (await this.current()).createFlow(request, options);
  }
  async completeFlow(request: ProvisionRequest, flowId: string, options?: StepOptions) {
    const client = await this.current();
    if (!client.completeFlow) {
      throw new InvalidRequestError([
        `operation: ${this.vendor} creates its flows in one step; there is nothing to complete`,
      ]);
    }
    return client.completeFlow(request, flowId, options);
  }
  async adoptFlow(request: ProvisionRequest, flowId: string) {
    const client = await this.current();
    return client.adoptFlow ? client.adoptFlow(request, flowId) : undefined;
  }
  async startFlow(request: ProvisionRequest, flowId: string, options?: StepOptions) {
    return (await this.current()).startFlow(request, flowId, options);
  }
  async describeFlow(request: ProvisionRequest, flowId: string) {
    return (await this.current()).describeFlow(request, flowId);
  }
  async grantEntitlements(request: ProvisionRequest, flowId: string, options?: StepOptions) {
    return (await this.current()).grantEntitlements(request, flowId, options);
  }
  async stopFlow(request: ProvisionRequest, flowId: string) {
    return (await this.current()).stopFlow(request, flowId);
  }
  async deleteFlow(request: ProvisionRequest, flowId: string) {
    return (await this.current()).deleteFlow(request, flowId);
  }
  async teardownFlow(target: TeardownTarget, flowId: string) {
    return (await this.current()).teardownFlow(target, flowId);
  }
  async describeConnection(request: ProvisionRequest, flowId: string) {
    return (await this.current()).describeConnection(request, flowId);
  }

  /** The client for the secret's current values, rebuilt only when they changed. */
  private async current(): Promise<VendorClient> {
    const credentials = this.parse(await this.read());
    const values = this.keys.map((key) => credentials[key]!);
    if (!this.client || values.some((value, i) => value !== this.values[i])) {
      this.client = this.options.build({ ...this.options.env, ...credentials });
      this.values = values;
    }
    return this.client;
  }

  private async read(): Promise<unknown> {
    try {
      return await this.secrets.get(this.secretArn, { maxAge: this.cacheSeconds });
    } catch (error) {
      const code = errorNameOf((error as { cause?: unknown })?.cause) ?? errorNameOf(error) ?? 'Error';
      const details = { vendor: this.vendor, operation: 'GetSecretValue', vendorCode: code };
      const message = `${this.vendor}: cannot read the credentials secret ${this.secretArn} (${code})`;
      if (PERMANENT_SECRET_ERRORS.has(code)) {
        throw new VendorAuthFailedError(`${message}: check that it exists and that this function may read it`, details);
      }
      throw new VendorUnavailableError(message, details);
    }
  }

  /** The secret's JSON object, checked key by key; messages name keys, never values. */
  private parse(raw: unknown): Record<string, string> {
    const fail = (problem: string) =>
      new VendorAuthFailedError(
        `${this.vendor}: the credentials secret ${this.secretArn} ${problem}; put a JSON object with ` +
          `${this.keys.join(', ')} in it (README, "Secrets")`,
        { vendor: this.vendor, operation: 'GetSecretValue' },
      );
    if (typeof raw !== 'string') throw fail('holds no secret string');
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      // Not the parser's message: it quotes the text it failed on, which is the secret.
      throw fail('is not JSON');
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw fail('is not a JSON object');
    const record = value as Record<string, unknown>;
    const unset = this.keys.filter((key) => {
      const v = record[key];
      return typeof v !== 'string' || v.trim() === '' || v === CREDENTIALS_PLACEHOLDER;
    });
    if (unset.length > 0) throw fail(`has no value for ${unset.join(', ')}`);
    return Object.fromEntries(this.keys.map((key) => [key, record[key] as string]));
  }
}

function errorNameOf(error: unknown): string | undefined {
  return error instanceof Error && error.name !== 'Error' ? error.name : undefined;
}
