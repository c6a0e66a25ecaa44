/**
 * The base of the two Alibaba product clients (ICE, CAMS): both reach the same POP gateway through one RPC client,
 * resolve an endpoint per region unless overridden, refuse another vendor's request and check what they read with
 * zod. Each product client adds its operations and its own success rule (`RetCode` for ICE, `Code` for CAMS).
 */
import type { z } from 'zod';
import type { ProvisionRequest } from '../../domain/contract.ts';
import { InvalidRequestError, type VendorErrorDetails, VendorUnavailableError } from '../../domain/errors.ts';
import type { VendorDescriptor } from '../common/descriptor.ts';
import {
  type AlibabaClientOptions,
  type AlibabaFromEnvOptions,
  type AlibabaRpcClient,
  type AlibabaVendor,
  alibabaOptionsFromEnv,
  alibabaRpcClient,
  type RpcClientOptions,
  type RpcResponse,
} from './rpc.ts';

/** What makes a product of the gateway: its descriptor, API version, where parameters go and its regional host. */
export interface AlibabaProduct<V extends AlibabaVendor> extends Pick<RpcClientOptions, 'version' | 'paramsIn'> {
  readonly descriptor: VendorDescriptor<V>;
  readonly regionalEndpoint: (region: string) => URL;
}

/** A product from its descriptor, API version, where its parameters go and its regional host. */
export function alibabaProduct<V extends AlibabaVendor>(
  descriptor: VendorDescriptor<V>,
  version: string,
  paramsIn: RpcClientOptions['paramsIn'],
  regionalEndpoint: (region: string) => URL,
): AlibabaProduct<V> {
  return { descriptor, version, paramsIn, regionalEndpoint };
}

/** A product client class: it names its product in a static field the base constructor reads. */
type ProductClass<C> = (new (options: AlibabaClientOptions) => C) & { readonly product: AlibabaProduct<AlibabaVendor> };

export abstract class AlibabaProductClient<V extends AlibabaVendor> {
  readonly vendor: V;
  protected readonly rpc: AlibabaRpcClient;
  private readonly endpoint: URL | undefined;
  private readonly regionalEndpoint: (region: string) => URL;

  /**
   * The product client as the vendor λ builds it: credentials and endpoint override from the environment (the
   * descriptor's variables), failing fast.
   */
  static fromEnv<C>(this: ProductClass<C>, env: NodeJS.ProcessEnv, options: AlibabaFromEnvOptions = {}): C {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the product class being built (ICE or CAMS), not the base
    return new this(alibabaOptionsFromEnv(env, this.product.descriptor, options));
  }

  constructor(options: AlibabaClientOptions) {
    const { descriptor, version, paramsIn, regionalEndpoint } = (new.target as unknown as ProductClass<unknown>)
      .product as AlibabaProduct<V>;
    this.vendor = descriptor.vendor;
    this.endpoint = options.endpoint;
    this.regionalEndpoint = regionalEndpoint;
    this.rpc = alibabaRpcClient(descriptor, { version, paramsIn }, options);
  }

  /** The override when one is configured, else the product's documented regional host. */
  protected endpointFor(region: string): URL {
    return this.endpoint ?? this.regionalEndpoint(region);
  }

  /** The request, when it is this product's; a request of another vendor never reaches its API. */
  protected own(request: ProvisionRequest): Extract<ProvisionRequest, { vendor: V }> {
    if (request.vendor !== this.vendor) {
      throw new InvalidRequestError([`vendor: the ${this.vendor} client got a ${request.vendor} request`]);
    }
    return request as Extract<ProvisionRequest, { vendor: V }>;
  }

  /** The error details of one answer: vendor, action, HTTP status and the vendor's request id. */
  protected detailsOf(action: string, response: RpcResponse): VendorErrorDetails {
    return {
      vendor: this.vendor,
      operation: action,
      httpStatus: response.status,
      ...(response.requestId ? { vendorRequestId: response.requestId } : {}),
    };
  }

  /** `value` checked against `schema`; an answer of another shape is the vendor misbehaving, so retried. */
  protected parse<T>(schema: z.ZodType<T>, value: unknown, action: string): T {
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      throw new VendorUnavailableError(`${this.vendor} ${action}: unexpected response content`, {
        vendor: this.vendor,
        operation: action,
      });
    }
    return parsed.data;
  }
}
