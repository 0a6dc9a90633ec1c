// `feedwright articles add|rm`: scripted writes to the store.
import { parseArticle } from '../articles/schema.js'
import { loadConfig } from '../config.js'
import { openStore } from '../store/open.js'
import { type Command, readSource, UsageError } from './io.js'

export const ARTICLES_HELP = `Usage: feedwright articles add <file.json>
       feedwright articles rm <id>

add: validates the article (or array of articles) in the file and stores it (all or nothing).
rm:  deletes the article; feeds drop it at the next build.`

export const articles: Command = async (args, io) => {
  const [action, target, ...rest] = args
  if ((action !== 'add' && action !== 'rm') || !target || rest.length > 0) {
    throw new UsageError('use "articles add <file.json>" or "articles rm <id>"')
  }
  if (action === 'add') {
    let input: unknown
    try {
      input = JSON.parse(await readSource(target))
    } catch (error) {
      throw new UsageError(
        `${target} is not JSON: ${error instanceof Error ? error.message : String(error)}`,
      )
    }
    const list = (Array.isArray(input) ? input : [input]).map((item, i) => {
      try {
        return parseArticle(item)
      } catch (error) {
        throw new Error(`${target}${Array.isArray(input) ? ` [${i}]` : ''}: ${describe(error)}`)
      }
    })
    const store = await openStore(loadConfig(io.env))
    try {
      await store.upsertMany(list)
    } finally {
      await store.close()
    }
    io.out(
      `stored ${list.length} article${list.length === 1 ? '' : 's'}: ${list.map((a) => a.id).join(', ')}`,
    )
    return 0
  }
  const store = await openStore(loadConfig(io.env))
  try {
    if (!(await store.delete(target, new Date()))) {
      io.err(`feedwright: no article with id "${target}"`)
      return 1
    }
    io.out(`deleted ${target}`)
    return 0
  } finally {
    await store.close()
  }
}

const describe = (error: unknown): string => {
  const issues = (error as { issues?: Array<{ path: string; message: string }> }).issues
  return issues ? issues.map((i) => `${i.path}: ${i.message}`).join('; ') : String(error)
}
