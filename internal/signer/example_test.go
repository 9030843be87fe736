package signer_test

import (
	"fmt"
	"log"
	"time"

	"github.com/dnssecsim/dnssecsim/internal/signer"
	"github.com/miekg/dns"
)

// Sign a small zone with one Ed25519 key (a CSK) and NSEC. Keys come from a
// seed, so the output is the same on every run.
func ExampleSignZone() {
	var rrs []dns.RR
	for _, s := range []string{
		"example. 3600 IN SOA ns1.example. hostmaster.example. 1 7200 3600 1209600 300",
		"example. 3600 IN NS ns1.example.",
		"ns1.example. 3600 IN A 192.0.2.1",
		"child.example. 3600 IN NS ns1.child.example.", // insecure delegation
		"ns1.child.example. 3600 IN A 192.0.2.2",       // glue: not signed
	} {
		rr, err := dns.NewRR(s)
		if err != nil {
			log.Fatal(err)
		}
		rrs = append(rrs, rr)
	}
	csk, err := signer.NewKey("example.", dns.ED25519, 257, []byte("example seed"))
	if err != nil {
		log.Fatal(err)
	}
	signed, err := signer.SignZone("example.", rrs, signer.Options{
		KSKs:       []*signer.Key{csk},
		Inception:  time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC),
		Expiration: time.Date(2035, 12, 31, 0, 0, 0, 0, time.UTC),
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, rr := range signed {
		fmt.Println(rr)
	}
	fmt.Println("DS:", csk.DNSKEY.ToDS(dns.SHA256))
	// Output:
	// example.	3600	IN	NS	ns1.example.
	// example.	3600	IN	SOA	ns1.example. hostmaster.example. 1 7200 3600 1209600 300
	// example.	3600	IN	RRSIG	NS 15 1 3600 20351231000000 20250101000000 8756 example. M2qu5oZ/wVWm2TuvmGCMKVK2P5VeY8yWbm83bhXMD/71cgjVlNMQuYhka46lXIx5vgcnwdaqf08iZpokaXxpAw==
	// example.	3600	IN	RRSIG	SOA 15 1 3600 20351231000000 20250101000000 8756 example. 4vSqvR8z1123tj047Zrt1XIz0Q1TgYfHlolWhTT/zTeFXUNvUhYl3uUT5POtbPF5YxrgeVHTySnGoUMWcXO5BQ==
	// example.	300	IN	RRSIG	NSEC 15 1 300 20351231000000 20250101000000 8756 example. SauaSI02aYdq0wTMqIxu6TtB71q9ffXZX+J6Px58f+OnOKI1NZhwUv13wGnM74Pao2OatmOFgp5BkDhdfwxHCg==
	// example.	3600	IN	RRSIG	DNSKEY 15 1 3600 20351231000000 20250101000000 8756 example. oN0aQTFvVn8UK6JjKlykzFF3GTrCWgC6eqiTgHC6z+IQy7EjqJyDr6+ntjS4YK2ggWrmKl3z2cc2MNLs0xuJBg==
	// example.	300	IN	NSEC	child.example. NS SOA RRSIG NSEC DNSKEY
	// example.	3600	IN	DNSKEY	257 3 15 XkBz7vUhsmkYG2Fm+fie70LIlmwhn5Y2+kKG7o7X8Os=
	// child.example.	3600	IN	NS	ns1.child.example.
	// child.example.	300	IN	RRSIG	NSEC 15 2 300 20351231000000 20250101000000 8756 example. I1af98gXyokibzQzclqamkIPwlCzuWusx8W+oXSBgJQvxtEUR/eqcPPLP2NOrc6bsYTXOU8GMxlKd5XxM/YdBw==
	// child.example.	300	IN	NSEC	ns1.example. NS RRSIG NSEC
	// ns1.child.example.	3600	IN	A	192.0.2.2
	// ns1.example.	3600	IN	A	192.0.2.1
	// ns1.example.	3600	IN	RRSIG	A 15 2 3600 20351231000000 20250101000000 8756 example. MMndtiuKe458sji4ywaFThQdLtgiBAjj9AHLhNKdNWvEtIFUkIRu+d8wrIWdWHgoh+qSXp3PQFvdtxFvI17QDg==
	// ns1.example.	300	IN	RRSIG	NSEC 15 2 300 20351231000000 20250101000000 8756 example. C3CuopaJliTbKZxAf8Cu+h2o8rVVeQajS0vUMcAXtCPHzisX0Qqq00zxmmHjava5Savju2aYZ63xb3K3pXwXAg==
	// ns1.example.	300	IN	NSEC	example. A RRSIG NSEC
	// DS: example.	3600	IN	DS	8756 15 2 07CCCD88036764144134D50E942B755889334699B18034D9274781B4452B102C
}
