// A subscriptions row as both adapters select it (columns aliased to these names), and its mapping.
import type { Subscription } from './subscriptions.js'

export interface SubscriptionRow {
  topic: string
  callback: string
  secret: string | null
  leaseSeconds: number
  expiresAt: string
  deliveredEtag: string | null
}

/** SQL NULL becomes an absent property, as the Subscription type has it. */
export const toSubscription = ({
  secret,
  deliveredEtag,
  ...row
}: SubscriptionRow): Subscription => ({
  ...row,
  ...(secret !== null && { secret }),
  ...(deliveredEtag !== null && { deliveredEtag }),
})
