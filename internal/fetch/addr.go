package fetch

import (
	"net/netip"
)

// blockedPrefixes are the special-purpose ranges (IANA IPv4 and IPv6
// Special-Purpose Address Registries, RFC 6890 and successors) that an
// outbound fetch must not reach unless Config.AllowPrivate is set: private
// networks, loopback, link-local, unspecified, multicast, CGNAT, benchmarking,
// documentation, reserved and the IPv6 transition prefixes that embed an
// IPv4 address (checked separately by unwrapping it).
var blockedPrefixes = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network" (RFC 791)
	netip.MustParsePrefix("10.0.0.0/8"),      // private (RFC 1918)
	netip.MustParsePrefix("100.64.0.0/10"),   // CGNAT shared space (RFC 6598)
	netip.MustParsePrefix("127.0.0.0/8"),     // loopback
	netip.MustParsePrefix("169.254.0.0/16"),  // link-local, cloud metadata
	netip.MustParsePrefix("172.16.0.0/12"),   // private (RFC 1918)
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("192.0.2.0/24"),    // documentation
	netip.MustParsePrefix("192.88.99.0/24"),  // 6to4 relay anycast (deprecated)
	netip.MustParsePrefix("192.168.0.0/16"),  // private (RFC 1918)
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("198.51.100.0/24"), // documentation
	netip.MustParsePrefix("203.0.113.0/24"),  // documentation
	netip.MustParsePrefix("224.0.0.0/4"),     // multicast
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, broadcast
	netip.MustParsePrefix("::/128"),          // unspecified
	netip.MustParsePrefix("::1/128"),         // loopback
	netip.MustParsePrefix("100::/64"),        // discard-only
	netip.MustParsePrefix("2001:db8::/32"),   // documentation
	netip.MustParsePrefix("fc00::/7"),        // unique local
	netip.MustParsePrefix("fe80::/10"),       // link-local
	netip.MustParsePrefix("fec0::/10"),       // site-local (deprecated)
	netip.MustParsePrefix("ff00::/8"),        // multicast
}

// Prefixes whose addresses carry an IPv4 address that must be checked too.
var (
	nat64Prefix      = netip.MustParsePrefix("64:ff9b::/96") // RFC 6052 well-known prefix
	nat64LocalPrefix = netip.MustParsePrefix("64:ff9b:1::/48")
	sixToFourPrefix  = netip.MustParsePrefix("2002::/16") // 6to4, RFC 3056
	teredoPrefix     = netip.MustParsePrefix("2001::/32") // Teredo, RFC 4380
	compatPrefix     = netip.MustParsePrefix("::/96")     // IPv4-compatible (deprecated)
)

// Blocked reports whether a is an address that outbound fetching refuses
// without AllowPrivate: anything that is not global unicast on the public
// Internet, including IPv4-mapped, IPv4-compatible, NAT64, 6to4 and Teredo
// forms of such an IPv4 address.
func Blocked(a netip.Addr) bool {
	if !a.IsValid() {
		return true
	}
	a = a.WithZone("")
	if a.Is4In6() {
		return Blocked(a.Unmap())
	}
	if a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() ||
		a.IsInterfaceLocalMulticast() || a.IsMulticast() || a.IsUnspecified() {
		return true
	}
	for _, p := range blockedPrefixes {
		if p.Contains(a) {
			return true
		}
	}
	if a.Is6() {
		b := a.As16()
		switch {
		case nat64Prefix.Contains(a), nat64LocalPrefix.Contains(a), compatPrefix.Contains(a):
			if nat64LocalPrefix.Contains(a) {
				return true // local-use NAT64 translates to anything; refuse
			}
			return Blocked(netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]}))
		case sixToFourPrefix.Contains(a):
			return Blocked(netip.AddrFrom4([4]byte{b[2], b[3], b[4], b[5]}))
		case teredoPrefix.Contains(a):
			// The client's IPv4 address is stored inverted in the last 32 bits.
			return Blocked(netip.AddrFrom4([4]byte{^b[12], ^b[13], ^b[14], ^b[15]}))
		}
	}
	return false
}
