import { BeforeApplicationShutdown, OnApplicationBootstrap } from '@nestjs/common';

/**
 * A part of the worker that runs in the background for as long as the process lives: it starts
 * when the application has bootstrapped and stops (finishing or abandoning its work in hand)
 * before the application shuts down. The projections, the follow-up sweeps and the returns
 * builder are each one.
 */
export abstract class BackgroundService
  implements OnApplicationBootstrap, BeforeApplicationShutdown
{
  abstract onApplicationBootstrap(): Promise<void>;
  abstract beforeApplicationShutdown(): Promise<void>;
}
