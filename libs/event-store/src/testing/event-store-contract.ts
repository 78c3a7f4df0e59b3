import { contractContext, DescribeFn, EventStoreFixture } from './contract-helpers';
import { describeFastPathContract } from './contract-fast-paths';
import { describeReadContract } from './contract-reads';
import { describeWriteContract } from './contract-writes';

export * from './contract-helpers';

/**
 * The behaviour every EventStore adapter must have. `setup` runs once for the block; tests keep
 * to their own streams (random `family-<uuid>` prefixes), so they do not depend on each other.
 */
export function describeEventStoreContract(
  name: string,
  setup: () => Promise<EventStoreFixture>,
  describeFn: DescribeFn = describe,
): void {
  describeFn(`EventStore contract: ${name}`, () => {
    const ctx = contractContext();

    beforeAll(async () => {
      ctx.fixture = await setup();
      ctx.store = ctx.fixture.store;
    });

    afterAll(async () => {
      await ctx.fixture?.teardown();
    });

    describeWriteContract(ctx);
    describeReadContract(ctx);
    describeFastPathContract(ctx);
  });
}
