import { AppConfig, loadConfig } from '@app/config';

let config: AppConfig | undefined;

/**
 * The CLI's configuration: the environment read and checked once, when a command first needs it
 * (`--help` and argument errors do not), then the same object for the rest of the process.
 */
export const cliConfig = (): AppConfig => (config ??= loadConfig());
