/**
 * Every vendor the system provisions on, one line each: a sixth vendor is its folder (`./<vendor>/`: client, signer,
 * error table, descriptor) plus one line here, one in `./clients.ts` and its emulator in `local/emulators/`
 * (docs/architecture.md, "Adding a vendor").
 */
import { alibabaCams } from './alibaba-cams/descriptor.ts';
import { alibabaIce } from './alibaba-ice/descriptor.ts';
import { awsMediaConnect } from './aws-mediaconnect/descriptor.ts';
import { huaweiLive } from './huawei-live/descriptor.ts';
import { volcengineLive } from './volcengine-live/descriptor.ts';

export const VENDOR_DESCRIPTORS = [awsMediaConnect, alibabaIce, alibabaCams, huaweiLive, volcengineLive] as const;
