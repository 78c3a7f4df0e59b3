/* What the commands of `outcomes` share: output, argument parsers, and a ledger per command. */
import { InvalidArgumentError } from 'commander';
import { openLedger } from './ledger';

export const out = (text: string) => process.stdout.write(text);

export const whole =
  (name: string, min = 1) =>
  (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min)
      throw new InvalidArgumentError(`${name} must be a whole number, at least ${min}`);
    return n;
  };

export const date = (value: string) => {
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) throw new InvalidArgumentError('must be an ISO 8601 date');
  return d;
};

/** Opens the database for one command and closes it whatever happens. */
export async function onLedger<T>(
  work: (ledger: Awaited<ReturnType<typeof openLedger>>) => Promise<T>,
  options: { owner?: boolean } = {},
) {
  const ledger = await openLedger(options);
  try {
    return await work(ledger);
  } finally {
    await ledger.close();
  }
}
