/**
 * Alibaba Cloud RPC-style calls (POP gateway), shared by the ICE and CAMS clients: builds the request (parameters in
 * the query for ICE, in a form body for CAMS), signs it with ACS3-HMAC-SHA256, sends it with a timeout under the λ
 * instance's pacer (one HTTP call per `pace`), and maps the gateway's error codes onto the taxonomy. Product envelopes
 * (`RetCode` for ICE, `Code == "OK"` for CAMS) are judged by each client, which knows its own success rule.
 */
import { randomBytes } from 'node:crypto';
import type { VendorId } from '../../domain/contract.ts';
import {
  type TaxonomyError,
  VendorAuthFailedError,
  type VendorErrorDetails,
  VendorRejectedError,
  VendorThrottledError,
  VendorUnavailableError,
} from '../../domain/errors.ts';
import type { VendorDescriptor } from '../common/descriptor.ts';
import { credentialsFromEnv, endpointFromEnv } from '../common/environment.ts';
import { errorFromTable } from '../common/error-table.ts';
import { type PaceFn, unpaced } from '../types.ts';
import { ALIBABA_ERRORS } from './errors.ts';
import { type AcsCredentials, percentEncode, signAcs3 } from './signer.ts';

export type AlibabaVendor = Extract<VendorId, 'alibaba-ice' | 'alibaba-cams'>;

/** Parameter values as the SDKs send them: strings and numbers; `undefined` means "not sent". */
export type RpcParams = Readonly<Record<string, string | number | undefined>>;

export interface RpcResponse {
  /** HTTP status. Never trust it alone: ICE answers errors in a 200, CAMS throttles with a 400. */
  readonly status: number;
  /** The JSON body (always an object here). */
  readonly body: Readonly<Record<string, unknown>>;
  /** The vendor's `RequestId`, for support tickets and error details. */
  readonly requestId?: string;
}

export interface RpcClientOptions {
  readonly vendor: AlibabaVendor;
  /** API version, sent as `x-acs-version`. */
  readonly version: string;
  /** Where business parameters go: ICE's SDK puts them in the query, CAMS's in a form body. */
  readonly paramsIn: 'query' | 'body';
  readonly credentials: AcsCredentials;
  /** Client-side timeout of one HTTP call; past it the call is `VendorUnavailable` (the effect may have happened). */
  readonly callTimeoutMs: number;
  readonly fetch?: typeof fetch;
  /** Signing clock (epoch ms). */
  readonly now?: () => number;
  /** Nonce source; each request needs a fresh one (the gateway rejects replays with `SignatureNonceUsed`). */
  readonly nonce?: () => string;
  /** Runs each HTTP call under the λ instance's pacer. */
  readonly pace?: PaceFn;
}

/** What the ICE and CAMS clients are built from: credentials, an endpoint override, and the call's collaborators. */
export interface AlibabaClientOptions {
  readonly credentials: AcsCredentials;
  /** Base URL for every region (`VENDOR_ENDPOINT_ALIBABA_*`); default the product's regional host. */
  readonly endpoint?: URL;
  readonly callTimeoutMs?: number;
  readonly fetch?: typeof fetch;
  readonly now?: () => number;
  readonly nonce?: () => string;
  readonly pace?: PaceFn;
}

export type AlibabaFromEnvOptions = Pick<AlibabaClientOptions, 'pace' | 'fetch' | 'now' | 'callTimeoutMs'>;

/**
 * A product client's options as its λ builds them: the descriptor's credential variables (every missing one named,
 * `ALIBABA_CLOUD_SECURITY_TOKEN` optional for STS credentials) and its endpoint override, failing fast.
 */
export function alibabaOptionsFromEnv(
  env: NodeJS.ProcessEnv,
  descriptor: VendorDescriptor<AlibabaVendor>,
  options: AlibabaFromEnvOptions,
): AlibabaClientOptions {
  const [idKey = '', secretKey = ''] = descriptor.credentialKeys;
  const vars = credentialsFromEnv(env, [idKey, secretKey], 'Alibaba Cloud credentials');
  const token = env.ALIBABA_CLOUD_SECURITY_TOKEN;
  const endpoint = endpointFromEnv(env, descriptor.endpointEnv);
  return {
    credentials: {
      accessKeyId: vars[idKey]!,
      accessKeySecret: vars[secretKey]!,
      ...(token ? { securityToken: token } : {}),
    },
    ...(endpoint ? { endpoint } : {}),
    ...options,
  };
}

/** The RPC client of one product, its call deadline defaulting to the descriptor's. */
export function alibabaRpcClient(
  descriptor: VendorDescriptor<AlibabaVendor>,
  api: Pick<RpcClientOptions, 'version' | 'paramsIn'>,
  options: AlibabaClientOptions,
): AlibabaRpcClient {
  const { endpoint: _endpoint, callTimeoutMs, ...collaborators } = options;
  return new AlibabaRpcClient({
    vendor: descriptor.vendor,
    ...api,
    ...collaborators,
    callTimeoutMs: callTimeoutMs ?? descriptor.callTimeoutMs,
  });
}

const randomNonce = () => randomBytes(16).toString('hex');

export class AlibabaRpcClient {
  private readonly fetchFn: typeof fetch;
  private readonly now: () => number;
  private readonly nonce: () => string;
  private readonly pace: PaceFn;

  constructor(private readonly options: RpcClientOptions) {
    this.fetchFn = options.fetch ?? globalThis.fetch;
    this.now = options.now ?? Date.now;
    this.nonce = options.nonce ?? randomNonce;
    this.pace = options.pace ?? unpaced;
  }

  get vendor(): AlibabaVendor {
    return this.options.vendor;
  }

  /**
   * One paced, signed `POST /` of `action`. Resolves with any JSON-object answer (the caller judges the envelope);
   * rejects with `VendorUnavailable` on timeout, network failure or a body that is not a JSON object.
   */
  async call(endpoint: URL, action: string, params: RpcParams): Promise<RpcResponse> {
    const entries = Object.entries(params).filter((e): e is [string, string | number] => e[1] !== undefined);
    const url = new URL('/', endpoint);
    let body: string | undefined;
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.options.paramsIn === 'query') {
      for (const [key, value] of entries) url.searchParams.set(key, String(value));
    } else if (entries.length > 0) {
      body = entries.map(([key, value]) => `${percentEncode(key)}=${percentEncode(String(value))}`).join('&');
      headers['content-type'] = 'application/x-www-form-urlencoded';
    }
    const details: VendorErrorDetails = { vendor: this.options.vendor, operation: action };

    return this.pace(
      async () => {
        // Signed inside the paced call: the date is when the call really leaves, not when it was queued.
        const signed = signAcs3(
          { method: 'POST', url, action, version: this.options.version, headers, ...(body ? { body } : {}) },
          this.options.credentials,
          { now: this.now(), nonce: this.nonce() },
        );
        let response: Response;
        let text: string;
        try {
          response = await this.fetchFn(signed.url, {
            method: 'POST',
            headers: signed.headers,
            ...(signed.body !== undefined ? { body: signed.body } : {}),
            signal: AbortSignal.timeout(this.options.callTimeoutMs),
          });
          text = await response.text();
        } catch (error) {
          const timedOut = (error as Error)?.name === 'TimeoutError' || (error as Error)?.name === 'AbortError';
          throw new VendorUnavailableError(
            timedOut
              ? `${this.options.vendor} ${action}: no answer within ${this.options.callTimeoutMs} ms (the call may have taken effect)`
              : `${this.options.vendor} ${action}: ${(error as Error)?.message ?? 'network error'}`,
            details,
            { cause: error },
          );
        }
        let json: unknown;
        try {
          json = text === '' ? undefined : JSON.parse(text);
        } catch {
          json = undefined;
        }
        if (typeof json !== 'object' || json === null || Array.isArray(json)) {
          const message = `${this.options.vendor} ${action}: HTTP ${response.status} without a JSON body`;
          const withStatus = { ...details, httpStatus: response.status };
          if (response.status >= 500 || response.ok) throw new VendorUnavailableError(message, withStatus);
          throw errorForAlibabaCode(undefined, response.status, message, withStatus);
        }
        const record = json as Record<string, unknown>;
        const requestId = typeof record.RequestId === 'string' ? record.RequestId : undefined;
        return { status: response.status, body: record, ...(requestId ? { requestId } : {}) };
      },
      { operation: action },
    );
  }
}

// --- error codes ------------------------------------------------------------------------------------------------

/** Maps an Alibaba error code (and the HTTP status when the code is unknown) to the taxonomy. */
export function errorForAlibabaCode(
  code: string | undefined,
  httpStatus: number,
  message: string,
  details: VendorErrorDetails,
): TaxonomyError {
  const withCode: VendorErrorDetails = { ...details, httpStatus, ...(code ? { vendorCode: code } : {}) };
  const known = errorFromTable(ALIBABA_ERRORS, code, message, withCode);
  if (known) return known;
  if (httpStatus >= 500 || httpStatus === 408) return new VendorUnavailableError(message, withCode);
  if (httpStatus === 429) return new VendorThrottledError(message, withCode);
  if (httpStatus === 401 || httpStatus === 403) return new VendorAuthFailedError(message, withCode);
  // Unknown.ResourceOwnerId, InvalidApi.NotFound, Missing{Parameter}, Invalid{Parameter}, product business errors...
  return new VendorRejectedError(message, withCode);
}

/**
 * A vendor message fit for logs and failure records: bounded, and cut before any echo of the string to sign (some
 * gateways include it in `SignatureDoesNotMatch`; it is not a secret, but it has no business in a DLQ attribute).
 */
export function safeVendorMessage(message: unknown): string {
  if (typeof message !== 'string' || message === '') return '(no message)';
  const cut = message.search(/string\s*to\s*sign/i);
  const text = cut >= 0 ? `${message.slice(0, cut).trimEnd()} …` : message;
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

/** The gateway's error envelope: `{ RequestId, HostId, Code, Message, Recommend }`. */
export function gatewayErrorCode(
  body: Readonly<Record<string, unknown>>,
): { code: string; message: string } | undefined {
  const code = body.Code;
  if (typeof code !== 'string' || code === '' || code === 'OK') return undefined;
  return { code, message: safeVendorMessage(body.Message) };
}
