// The bull dashboard (bull-board) over this process's queues; src/http/admin-queues.routes.ts puts it behind admin sign-in.
import type Bull from 'bull';
import type { RequestHandler } from 'express';
import { createBullBoard } from '@bull-board/api';
import { BullAdapter } from '@bull-board/api/bullAdapter';
import { ExpressAdapter } from '@bull-board/express';

export interface QueueDashboard {
  /** The dashboard's express app, to mount at `basePath`. */
  handler: RequestHandler;
  /** Shows these queues (the background starts after the web server, so they come later). */
  setQueues(queues: Bull.Queue[]): void;
}

export function queueDashboard(basePath: string): QueueDashboard {
  const server = new ExpressAdapter();
  server.setBasePath(basePath);
  // @bull-board/express brings its own copy of @bull-board/api (same API, a patch version apart): the types differ only by name.
  const board = createBullBoard({ queues: [], serverAdapter: server as unknown as Parameters<typeof createBullBoard>[0]['serverAdapter'] });
  return {
    handler: server.getRouter() as RequestHandler,
    setQueues: (queues) => board.replaceQueues(queues.map((q) => new BullAdapter(q))),
  };
}
