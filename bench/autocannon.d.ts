// The few parts of autocannon's API the benchmarks use (the package ships no types).
declare module 'autocannon' {
  export type Request = { method?: string; path?: string; headers?: Record<string, string>; body?: string }
  export type RequestSpec = Request & { setupRequest?: (request: Request) => Request }
  type Options = {
    url: string
    connections?: number
    duration?: number
    overallRate?: number
    requests?: RequestSpec[]
  }
  type Histogram = { average: number; mean: number; p50: number; p97_5: number; p99: number; max: number }
  export type Result = {
    requests: Histogram & { total: number }
    latency: Histogram
    errors: number
    timeouts: number
    non2xx: number
    '2xx': number
    '3xx': number
    '4xx': number
    '5xx': number
  }
  export default function autocannon(options: Options): Promise<Result>
}
