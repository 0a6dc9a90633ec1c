// What every CLI command shares: its streams, usage errors, progress lines and reading inputs.
import { readFile } from 'node:fs/promises'

export interface CliIo {
  out: (line: string) => void
  err: (line: string) => void
  env: Record<string, string | undefined>
  /** Progress only where a person watches: stderr is a terminal. */
  isTty: boolean
}

/** A mistake in how the command was called: one line and exit code 2, never a stack trace. */
export class UsageError extends Error {
  override readonly name = 'UsageError'
}

export type Command = (args: string[], io: CliIo) => Promise<number>

export const processIo = (): CliIo => ({
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  env: process.env,
  isTty: process.stderr.isTTY === true,
})

/** A progress reporter that redraws one terminal line, and does nothing when not on a TTY. */
export const progress = (io: CliIo, label: string) => {
  let last = 0
  return {
    update(done: number, total: number) {
      const now = Date.now()
      if (!io.isTty || (now - last < 100 && done < total)) return
      last = now
      process.stderr.write(`\r${label} ${done}/${total}${done === total ? '\n' : ''}`)
    },
  }
}

const FETCH_TIMEOUT_MS = 15_000

/** Why a fetch failed, in words: the timeout, DNS, a refused connection, TLS, or the cause given. */
export const whyFetchFailed = (error: unknown): string => {
  if (
    error instanceof DOMException &&
    (error.name === 'TimeoutError' || error.name === 'AbortError')
  )
    return `no answer within ${FETCH_TIMEOUT_MS / 1000} s (timeout)`
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause
  const code = typeof cause?.code === 'string' ? cause.code : undefined
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME')
    return `its host name does not resolve (DNS ${code})`
  if (code === 'ECONNREFUSED') return 'the connection was refused (ECONNREFUSED)'
  if (code === 'ECONNRESET') return 'the connection was reset (ECONNRESET)'
  if (code === 'UND_ERR_CONNECT_TIMEOUT') return 'no connection within the timeout'
  if (code && /CERT|SSL|TLS/.test(code)) return `its TLS certificate was refused (${code})`
  const message = typeof cause?.message === 'string' ? cause.message : undefined
  return message ?? (error instanceof Error ? error.message : String(error))
}

/** The bytes of a local file or of an http(s) URL, with the charset an HTTP response declared. */
export const readSourceBytes = async (
  source: string,
): Promise<{ bytes: Uint8Array; charset?: string }> => {
  if (/^https?:\/\//i.test(source)) {
    let response: Response
    try {
      response = await fetch(source, {
        signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
        headers: {
          accept: 'application/rss+xml, application/atom+xml, application/feed+json, */*',
        },
      })
    } catch (error) {
      throw new Error(`${source} could not be fetched: ${whyFetchFailed(error)}`, { cause: error })
    }
    if (!response.ok)
      throw new Error(`${source} answered ${response.status} ${response.statusText}`)
    const charset = /;\s*charset="?([^";\s]+)/i.exec(
      response.headers.get('content-type') ?? '',
    )?.[1]
    return { bytes: new Uint8Array(await response.arrayBuffer()), ...(charset && { charset }) }
  }
  try {
    return { bytes: await readFile(source) }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw new Error(
      code === 'ENOENT' ? `${source}: no such file` : `${source}: cannot read (${code})`,
    )
  }
}

/** The text (UTF-8) of a local file or of an http(s) URL. */
export const readSource = async (source: string): Promise<string> =>
  new TextDecoder().decode((await readSourceBytes(source)).bytes)
