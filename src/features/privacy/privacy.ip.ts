import { isIPv4, isIPv6 } from 'node:net'

/**
 * An address cut to its network: IPv4 to /24 ("203.0.113.0"), IPv6 to /48 ("2001:db8:1::"). What an
 * export shows of a session, so the person sees roughly where a sign-in came from.
 */
export function truncateIp(ip: string | null | undefined): string | null {
  if (!ip) return null
  const v4 = ip.startsWith('::ffff:') && isIPv4(ip.slice(7)) ? ip.slice(7) : ip
  if (isIPv4(v4)) return v4.split('.').slice(0, 3).join('.') + '.0'
  if (isIPv6(ip)) {
    const [head = ''] = ip.split('::')
    const groups = head.split(':').filter((g) => g !== '')
    return groups.slice(0, 3).join(':') + '::'
  }
  return null
}
