// Package service owns the settings of `vigil serve`: one Config of the HTTP
// service, the review queue, the webhooks, the log and the scheduled jobs,
// with its defaults, loaded from a YAML file and overridden by the
// environment (LoadConfig). cmd/vigil applies its flags over it and wires
// the service from it.
//
//	cfg, err := service.LoadConfig("vigil.yaml", os.Getenv)
//	if err != nil {
//		return err // names the file and line: `line 2: unknown key "listen"`
//	}
//	log, err := cfg.Logger(os.Stderr)
package service
