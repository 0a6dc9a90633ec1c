// Which addresses the hub may connect to, decided on the address each connection actually uses:
// names are resolved once, by the connection's own `lookup`, so a DNS answer cannot change between
// the check and the request (DNS rebinding).
import { lookup as dnsLookup } from 'node:dns'
import type { LookupFunction } from 'node:net'
import ipaddr from 'ipaddr.js'

/** One resolved address of a name, as dns.lookup gives it with `all: true`. */
export interface ResolvedAddress {
  address: string
  family: number
}

/** Resolves a host name; tests inject one that answers without DNS. */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>

export const systemResolver: Resolver = (hostname) =>
  new Promise((resolve, reject) =>
    dnsLookup(hostname, { all: true }, (error, addresses) =>
      error ? reject(error) : resolve(addresses),
    ),
  )

/**
 * Whether an address is a public unicast one. ipaddr.js names every special range (loopback,
 * private, link-local, carrier-grade NAT, benchmarking 198.18.0.0/15, multicast, broadcast,
 * IPv4-mapped and -translated IPv6 such as ::ffff:a.b.c.d and 64:ff9b::/96, 6to4, Teredo,
 * documentation, reserved…); only what it calls `unicast` is public. Anything unparsable is not.
 */
export const isPublicAddress = (address: string): boolean =>
  ipaddr.isValid(address) && ipaddr.parse(address).range() === 'unicast'

export class AddressRefusedError extends Error {
  override readonly name = 'AddressRefusedError'
  /** Node's connection code for a refused lookup, so the request fails like a network error. */
  readonly code = 'EADDRREFUSED'
}

export interface AddressGuard {
  /** Why a connection to this host would be refused, or undefined if it would be allowed. */
  refusal(hostname: string): Promise<string | undefined>
  /** A `lookup` for http.request: resolves, then refuses any address that is not allowed. */
  lookup: LookupFunction
}

/** With `allowPrivate` (tests, intranets) every address is allowed; names are still resolved here. */
export const createAddressGuard = (options: {
  allowPrivate: boolean
  resolve?: Resolver
}): AddressGuard => {
  const { allowPrivate, resolve = systemResolver } = options
  const refused = (hostname: string, address: string): string | undefined =>
    allowPrivate || isPublicAddress(address)
      ? undefined
      : `${hostname} is ${address}, not a public unicast address`
  const bare = (hostname: string) => hostname.replace(/^\[|\]$/g, '')

  const refusal = async (hostname: string): Promise<string | undefined> => {
    const host = bare(hostname)
    if (ipaddr.isValid(host)) return refused(host, host)
    try {
      const addresses = await resolve(host)
      if (addresses.length === 0) return `${host} does not resolve`
      for (const { address } of addresses) {
        const reason = refused(host, address)
        if (reason) return reason
      }
      return undefined
    } catch (error) {
      return `${host} does not resolve (${error instanceof Error ? error.message : error})`
    }
  }

  const lookup: LookupFunction = (hostname, options, callback) => {
    const host = bare(hostname)
    const answer = ipaddr.isValid(host)
      ? Promise.resolve([{ address: host, family: ipaddr.parse(host).kind() === 'ipv6' ? 6 : 4 }])
      : resolve(host)
    answer.then(
      (addresses) => {
        const wanted = addresses.filter((a) => !options.family || a.family === options.family)
        const bad = wanted.map((a) => refused(host, a.address)).find((r) => r !== undefined)
        if (bad || wanted.length === 0) {
          const error = new AddressRefusedError(
            `websub/addresses: refused to connect: ${bad ?? `${host} has no address`}`,
          )
          callback(error as NodeJS.ErrnoException, '', 0)
          return
        }
        if (options.all) callback(null, wanted)
        else callback(null, wanted[0]!.address, wanted[0]!.family)
      },
      (error: NodeJS.ErrnoException) => callback(error, '', 0),
    )
  }
  return { refusal, lookup }
}
