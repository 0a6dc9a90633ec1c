// What every CLI command shares: its streams, usage errors, progress lines and reading inputs.
import { readFile, stat } from 'node:fs/promises'
import { createInterface } from 'node:readline/promises'
import { parseArgs, type ParseArgsConfig } from 'node:util'

export interface CliIo {
  out: (line: string) => void
  err: (line: string) => void
  env: Record<string, string | undefined>
  /** Progress only where a person watches: stderr is a terminal. */
  isTty: boolean
  /** Asks a person a question; absent when stdin and stdout are not a terminal (scripts, CI). */
  ask?: (question: string) => Promise<string>
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
  ...(process.stdin.isTTY &&
    process.stdout.isTTY && {
      ask: async (question: string) => {
        const prompt = createInterface({ input: process.stdin, output: process.stdout })
        try {
          return await prompt.question(question)
        } finally {
          prompt.close()
        }
      },
    }),
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

/** Inputs larger than this are refused unless a command lets the caller raise it. */
export const DEFAULT_MAX_BYTES = 64 * 1024 * 1024

/** A document's bytes and, from HTTP, the charset its Content-Type declares. */
export interface SourceBytes {
  bytes: Uint8Array
  charset?: string
}

const tooLarge = (source: string, maxBytes: number): Error =>
  new Error(
    `${source} is larger than ${maxBytes} bytes; raise the limit with --max-bytes if it is meant`,
  )

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

/**
 * The bytes of a local file or an http(s) URL, with the charset an HTTP response declared; refused
 * past `maxBytes` (a file by its size before reading; a response by Content-Length, else while
 * streaming), so a huge input fails in seconds with a clear message instead of exhausting memory.
 */
export const readSourceBytes = async (
  source: string,
  maxBytes: number = DEFAULT_MAX_BYTES,
): Promise<SourceBytes> => {
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
    if (Number(response.headers.get('content-length') ?? 0) > maxBytes) {
      await response.body?.cancel()
      throw tooLarge(source, maxBytes)
    }
    const chunks: Uint8Array[] = []
    let size = 0
    for await (const chunk of response.body ?? []) {
      size += chunk.byteLength
      if (size > maxBytes) throw tooLarge(source, maxBytes)
      chunks.push(chunk)
    }
    const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(
      response.headers.get('content-type') ?? '',
    )?.[1]
    return { bytes: Buffer.concat(chunks), ...(charset && { charset }) }
  }
  await checkFileSize(source, maxBytes)
  try {
    return { bytes: await readFile(source) }
  } catch (error) {
    throw fileError(source, error)
  }
}

const fileError = (source: string, error: unknown): unknown => {
  const code = (error as NodeJS.ErrnoException).code
  if (!code) return error
  return new Error(
    code === 'ENOENT' ? `${source}: no such file` : `${source}: cannot read (${code})`,
  )
}

/** Refuses a local file past `maxBytes` by its size, before reading it, or a file not there. */
export const checkFileSize = async (source: string, maxBytes: number): Promise<void> => {
  try {
    if ((await stat(source)).size > maxBytes) throw tooLarge(source, maxBytes)
  } catch (error) {
    throw fileError(source, error)
  }
}

/** The text (UTF-8) of a local file or of an http(s) URL. */
export const readSource = async (source: string): Promise<string> =>
  new TextDecoder().decode((await readSourceBytes(source, DEFAULT_MAX_BYTES)).bytes)

/**
 * A command's options and positional arguments (`--name value`, `--name=value`, switches), by
 * node:util parseArgs; an unknown option or a missing value is a usage error.
 */
export const parseOptions = <T extends NonNullable<ParseArgsConfig['options']>>(
  args: string[],
  options: T,
) => {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true })
  } catch (error) {
    throw new UsageError(
      (error instanceof Error ? error.message : String(error)).replace(/\. To specify.*$/s, ''),
    )
  }
}
