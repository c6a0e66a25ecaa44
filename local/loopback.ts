/**
 * Every local server (AWS stand-ins and vendor emulators) listens the same way: on a free port of 127.0.0.1 only, so
 * nothing the local stack runs is reachable from another machine.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LoopbackListener {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** The listening server: the local stack's own SDK clients reach it in-process (`./in-process-transport.ts`). */
  readonly server: Server;
  /** Drops open keep-alive connections, then waits for the server to close. */
  close(): Promise<void>;
}

export async function listenOnLoopback(server: Server): Promise<LoopbackListener> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
