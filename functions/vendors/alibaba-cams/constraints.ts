/**
 * What CAMS refuses on CreateFlow and PublishFlow that a request could carry, refused at the door instead
 * (docs/vendors/alibaba-cams.md, "Constraints", which names the public source of each rule). The contract
 * (`../../domain/requests/alibaba-cams.ts`) applies these to the alibaba-cams request.
 */
import type { z } from 'zod';

/**
 * PublishFlow publishes the flow's JSON to WhatsApp and fails without one: a request that starts (publishes) the flow
 * must give the JSON to upload (`flow.jsonAsset`), or ask for a draft (`start: false`).
 */
export function checkCamsPublish(
  request: { readonly start: boolean; readonly flow: { readonly jsonAsset?: unknown } },
  ctx: z.RefinementCtx,
): void {
  if (request.start && request.flow.jsonAsset === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['flow', 'jsonAsset'],
      message:
        'CAMS publishes a flow (start: true) only with its flow JSON: give flow.jsonAsset.filePath, or set start: false to leave the flow a draft',
    });
  }
}
