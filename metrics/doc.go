// Package metrics owns what Vigil tells its operators: one Metrics struct,
// built by New on a registry the caller owns (never the global one), with a
// method for each thing the rest of the program observes; the Grafana
// dashboard (grafana/vigil.json) and the Prometheus alert rules
// (alerts.yml) that read those metrics.
//
// Every metric is named vigil_<what>_<base unit>; counters end in _total;
// labels take only bounded values (stage, kind, action, tag, flag, handler,
// code, name of a job), never a document, author or token.
//
//	reg := prometheus.NewRegistry()
//	m := metrics.New(reg)
//	p := pipeline.New(pipeline.Options{Observe: m.ObserveStage}, stages...)
//	v := p.Check(ctx, &doc)
//	m.ObserveVerdict(doc.Kind, v)
//	http.Handle("/metrics", metrics.Handler(reg, log))
//
// The review queue gauges are read from the queue at scrape time through
// the function given to SetReviewQueue, so they cost nothing between
// scrapes and are never stale.
package metrics
