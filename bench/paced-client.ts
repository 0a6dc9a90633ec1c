// A feed reader population in its own process: requests at a steady rate (autocannon), latency out.
import autocannon from 'autocannon'

export interface PacedFigures {
  requests: number
  p50Ms: number
  p99Ms: number
  maxMs: number
  wrongStatus: number
}

const [url = '', rate = '200', seconds = '5'] = process.argv.slice(2)
autocannon(
  {
    url,
    connections: 8,
    // A steady rate well under capacity: latency then shows waiting on the server, not queueing.
    overallRate: Number(rate),
    duration: Number(seconds),
  },
  (error, result) => {
    if (error) throw error
    const figures: PacedFigures = {
      requests: result.requests.total,
      p50Ms: result.latency.p50,
      p99Ms: result.latency.p99,
      maxMs: result.latency.max,
      wrongStatus: result.non2xx + result.errors,
    }
    process.send?.(figures)
  },
)
