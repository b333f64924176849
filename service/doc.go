// Package service owns the settings of `vigil serve`: one Config of the HTTP
// service, the review queue, the webhooks, the log and the scheduled jobs,
// with its defaults, loaded from a YAML file and overridden by the
// environment (LoadConfig); and the service itself: Run wires the engine,
// the review queue, the webhooks, the HTTP server and the scheduled jobs
// from a Config and runs them until its context ends. cmd/vigil applies its
// flags over the Config and handles the signals.
//
//	cfg, err := service.LoadConfig("vigil.yaml", os.Getenv)
//	if err != nil {
//		return err // names the file and line: `line 2: unknown key "listen"`
//	}
//	log, err := cfg.Logger(os.Stderr)
//	if err != nil {
//		return err
//	}
//	return service.Run(ctx, cfg, log, nil) // until ctx ends
package service
