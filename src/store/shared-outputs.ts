// The SharedOutputs contract: outputs that instances sharing one database publish for each other,
// each URL path's latest version in the order they were published, and word when any instance
// published. Only the PostgreSQL adapter has them (postgres-shared-outputs.ts); imports no driver.

/** An output to share: a published document's bytes and validators. */
export interface OutputToShare {
  urlPath: string
  feedKey: string
  /** The output's format ('rss', 'html', …), as publish/outputs.ts names it. */
  format: string
  contentType: string
  body: Uint8Array
  etag: string
  lastModified: Date
}

/** One change read back: an output's latest version, or its removal. */
export type SharedOutput =
  | (Omit<OutputToShare, 'body'> & {
      version: number
      removed: false
      body: Uint8Array<ArrayBuffer>
    })
  | { urlPath: string; version: number; removed: true }

/** Listening for other instances' publications; closing stops the calls. */
export interface Listening {
  close(): Promise<void>
}

export interface SharedOutputs {
  /** Changes published after `version`, oldest first, at most `limit` (a removal is a change). */
  changedSince(version: number, limit: number): Promise<SharedOutput[]>
  /**
   * Records outputs (read one at a time from `put`: archives come from disk) and removals as one
   * change, all or nothing; listeners are told once it is committed, never before.
   */
  publish(changes: { put: AsyncIterable<OutputToShare>; removed: readonly string[] }): Promise<void>
  /**
   * Calls `onChange` whenever any instance published; after a lost connection it reconnects and
   * calls it too, since what was published meanwhile was not heard of.
   */
  listen(onChange: () => void): Promise<Listening>
  close(): Promise<void>
}
