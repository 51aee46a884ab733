import { ConfigError } from '../config.ts'

/**
 * Runs a command's main and sets its exit code. A configuration error (or one of `expected`) prints
 * just its message; anything else prints `failure` with the error, and exits with `failureCode`.
 */
export function runCli(
  main: () => Promise<number>,
  failure: string,
  options: { failureCode?: number; expected?: (new (...args: never[]) => Error)[] } = {},
) {
  main().then(
    (code) => {
      process.exitCode = code
    },
    (err: unknown) => {
      const known = [ConfigError, ...(options.expected ?? [])].some((kind) => err instanceof kind)
      if (known) console.error((err as Error).message)
      else console.error(failure, err)
      process.exitCode = options.failureCode ?? 1
    },
  )
}
