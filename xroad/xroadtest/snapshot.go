package xroadtest

// What a backup holds and a restore puts back. X-Road 7.4.2's backup is
// /etc/xroad and the serverconf database (src/packages/src/xroad/common/base/usr/share/xroad/scripts/_backup_xroad.sh:
// BACKED_UP_PATHS /etc/xroad/ plus the dump backup_db.sh makes), so a
// restore (_restore_xroad.sh) brings back all the fake keeps of either:
// the anchor (/etc/xroad/configuration-anchor.xml), the tokens' keys,
// CSRs and certificates (/etc/xroad/signer/keyconf.xml, the software
// token's keystore and so its PIN), the internal TLS certificate
// (/etc/xroad/ssl), and from the database the owner, server code,
// timestamping services, clients with their services and access rights,
// and the API keys (the APIKEY table, src/common/common-admin-api/src/main/resources/apikey.hbm.xml):
// a key made after the backup is gone once it is restored.

import (
	"maps"
	"slices"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/xroad"
)

type snapshot struct {
	apiKeys                                          map[int64]string
	keyRoles                                         map[int64][]string
	anchorInstance, anchorHash                       string
	anchorAt                                         time.Time
	serverCode, ownerClass, ownerCode, ownerInstance string
	softPIN                                          string
	configuredTSA                                    []xroad.TimestampingService
	keys                                             []*fakeKey
	certs                                            map[string]*fakeCert
	clients                                          []*fakeClient
	internalTLS                                      []byte
}

// snap copies the state a backup holds; s.mu is held.
func (s *Server) snap() *snapshot {
	sn := &snapshot{apiKeys: maps.Clone(s.apiKeys), keyRoles: maps.Clone(s.keyRoles),
		anchorInstance: s.anchorInstance, anchorHash: s.anchorHash, anchorAt: s.anchorAt,
		serverCode: s.serverCode, ownerClass: s.ownerClass, ownerCode: s.ownerCode, ownerInstance: s.ownerInstance,
		softPIN: s.softPIN, configuredTSA: slices.Clone(s.configuredTSA), internalTLS: s.internalTLS}
	sn.keys, sn.certs = cloneKeys(s.keys, s.certs)
	for _, c := range s.clients {
		sn.clients = append(sn.clients, cloneClient(c))
	}
	return sn
}

// put makes sn the state (a copy of it, so one backup restores twice);
// s.mu is held.
func (s *Server) put(sn *snapshot) {
	s.apiKeys, s.keyRoles = maps.Clone(sn.apiKeys), maps.Clone(sn.keyRoles)
	s.anchorInstance, s.anchorHash, s.anchorAt = sn.anchorInstance, sn.anchorHash, sn.anchorAt
	s.serverCode, s.ownerClass, s.ownerCode, s.ownerInstance = sn.serverCode, sn.ownerClass, sn.ownerCode, sn.ownerInstance
	s.softPIN, s.configuredTSA, s.internalTLS = sn.softPIN, slices.Clone(sn.configuredTSA), sn.internalTLS
	s.keys, s.certs = cloneKeys(sn.keys, sn.certs)
	s.clients = nil
	for _, c := range sn.clients {
		s.clients = append(s.clients, cloneClient(c))
	}
}

// cloneKeys copies keys and their certificates, each certificate
// pointing at its key's copy.
func cloneKeys(keys []*fakeKey, certs map[string]*fakeCert) ([]*fakeKey, map[string]*fakeCert) {
	moved := map[*fakeKey]*fakeKey{}
	var ks []*fakeKey
	for _, k := range keys {
		c := *k
		c.csrs = slices.Clone(k.csrs) // the CSRs themselves never change
		moved[k] = &c
		ks = append(ks, &c)
	}
	cs := map[string]*fakeCert{}
	for h, c := range certs {
		cc := *c
		if k, ok := moved[c.key]; ok {
			cc.key = k
		}
		cs[h] = &cc
	}
	return ks, cs
}

func cloneClient(c *fakeClient) *fakeClient {
	cc := *c
	cc.tls, cc.groups, cc.acl = slices.Clone(c.tls), slices.Clone(c.groups), slices.Clone(c.acl)
	cc.sds = nil
	for _, sd := range c.sds {
		d := *sd
		d.services = nil
		for _, v := range sd.services {
			vv := *v
			vv.endpoints = slices.Clone(v.endpoints)
			d.services = append(d.services, &vv)
		}
		cc.sds = append(cc.sds, &d)
	}
	return &cc
}
