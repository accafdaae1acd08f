package loadtest

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// WriteJSON writes the report as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return fmt.Errorf("loadtest: write report: %w", err)
	}
	return nil
}

func kib(b float64) string {
	if b == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.1f", b/1024)
}

func mib(b int64) string {
	if b == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.1f", float64(b)/(1<<20))
}

func msText(d time.Duration) string { return fmt.Sprintf("%.2f", ms(d)) }

func gor(n int) string {
	if n < 0 {
		return "n/a"
	}
	return fmt.Sprint(n)
}

func x(f float64) string {
	if f == 0 {
		return "—"
	}
	return fmt.Sprintf("%.2f×", f)
}

// WriteTable writes the report as plain-text tables.
func (r *Report) WriteTable(w io.Writer) {
	m := r.Machine
	fmt.Fprintf(w, "ttx load test — %s, %d CPUs, %s, %s; load average %.2f %.2f %.2f before, %.2f %.2f %.2f after; %s\n\n",
		m.OS, m.CPUs, m.GoVersion, m.Kernel, m.LoadBefore[0], m.LoadBefore[1], m.LoadBefore[2],
		m.LoadAfter[0], m.LoadAfter[1], m.LoadAfter[2], r.Finished.Sub(r.Started).Round(time.Second))
	if len(r.Fanout) > 0 {
		fmt.Fprintln(w, "Fan-out: latency = client receive time − server event time (ttx: commit; baseline: receipt), ms")
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "N\tE\taddress\ttarget\tp50\tp90\tp99\tmax\tp99 from send\tdelivered\texpected\tframe B\tidle KiB/conn\tidle RSS KiB/conn\tCPU ms/bcast\tRSS idle MiB\tgoroutines idle\tconnect s\tload\t")
		for _, fc := range r.Fanout {
			c := fc.Config
			row := func(label string, t *FanoutResult) {
				if t == nil {
					return
				}
				fmt.Fprintf(tw, "%d\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%d\t%d\t%s\t%s\t%.2f\t%s\t%s\t%.1f\t%.1f\t\n",
					c.Participants, c.Exercises, c.Address, label,
					msText(t.Latency.P50), msText(t.Latency.P90), msText(t.Latency.P99), msText(t.Latency.Max), msText(t.LatencySend.P99),
					t.Delivered, t.Expected, t.FrameBytes, kib(t.IdleBytesPerConn), kib(t.IdleRSSBytesPerConn), ms(t.CPUPerBroadcast), mib(t.RSSIdle),
					gor(t.GoroutinesIdle), t.ConnectTime.Seconds(), t.LoadAvg)
			}
			row("ttx", fc.TTX)
			row("baseline", fc.Baseline)
			if fc.Ratios != nil {
				rt := fc.Ratios
				fmt.Fprintf(tw, "\t\t\tttx/baseline\t%s\t%s\t%s\t%s\t%s\t\t\t\t%s\t%s\t%s\t\t\t\t\n",
					x(rt["p50"]), x(rt["p90"]), x(rt["p99"]), x(rt["max"]), x(rt["p99_from_send"]),
					x(rt["idle_bytes_per_c"]), x(rt["cpu_per_bcast"]), x(rt["rss_idle"]))
			}
		}
		tw.Flush()
		for _, fc := range r.Fanout {
			if len(fc.TTXp99) > 1 {
				fmt.Fprintf(w, "  N=%d E=%d runs p99 (ms): ttx %v, baseline %v; load average %v\n",
					fc.Config.Participants, fc.Config.Exercises, fc.TTXp99, fc.BaselineP99, fc.RunsLoad)
			}
			for _, t := range []*FanoutResult{fc.TTX, fc.Baseline} {
				if t != nil && len(t.Errors) > 0 {
					fmt.Fprintf(w, "  N=%d %s errors: %s\n", fc.Config.Participants, t.Target, strings.Join(t.Errors, "; "))
				}
			}
		}
		fmt.Fprintln(w)
		r.writeMemorySlopes(w)
		r.writeFlood(w)
	}
	if tk := r.Ticking; tk != nil {
		fmt.Fprintf(w, "Ticking: %d exercises × %d participants of %s at ×%g for %s (starts spread over %s)\n",
			tk.Exercises, tk.PerExercise, tk.Scenario, tk.Speed, tk.Window, tk.StartSpread.Round(time.Millisecond))
		fmt.Fprintf(w, "  inject deliveries due in the window: %d expected, %d delivered, %d missed\n", tk.Expected, tk.Delivered, tk.Missed)
		fmt.Fprintf(w, "  arrival lateness (receive − due), ms: p50 %s, p90 %s, p99 %s, max %s; %d beyond %s\n",
			msText(tk.Arrival.P50), msText(tk.Arrival.P90), msText(tk.Arrival.P99), msText(tk.Arrival.Max), tk.LateArrivals, tk.Late)
		fmt.Fprintf(w, "  server lateness of %d scheduled events (event time − due), ms: p50 %s, p99 %s, max %s; %d beyond %s\n",
			tk.Scheduled, msText(tk.ServerLag.P50), msText(tk.ServerLag.P99), msText(tk.ServerLag.Max), tk.ServerLate, tk.Late)
		fmt.Fprintf(w, "  server RSS %s MiB idle, %s MiB after; CPU %.1f s over the window; dial failures %d, disconnects %d; load average %.1f\n",
			mib(tk.RSSIdle), mib(tk.RSSAfter), tk.CPU.Seconds(), tk.DialFailed, tk.Disconnected, tk.LoadAvg)
		if tk.HandOffs != nil {
			fmt.Fprintf(w, "  server hand-offs (event time to frames handed to every socket, commit included): %d commits, %d within 50 ms, %d within 100 ms\n",
				*tk.HandOffs, *tk.HandOffIn50, *tk.HandOffIn100)
		}
		if fp := tk.Forwarding; fp != nil {
			fmt.Fprintf(w, "  a facilitator's note, ms (p50 / p99 / max): %s / %s / %s at the owner, %s / %s / %s through another node (%d pairs, %d errors)\n",
				msText(fp.AtOwner.P50), msText(fp.AtOwner.P99), msText(fp.AtOwner.Max),
				msText(fp.Forwarded.P50), msText(fp.Forwarded.P99), msText(fp.Forwarded.Max), fp.AtOwner.N, fp.Errors)
		}
		if len(tk.LateWhen) > 0 {
			parts := make([]string, 0, len(tk.LateWhen))
			for _, ls := range tk.LateWhen {
				parts = append(parts, fmt.Sprintf("s%d: %d (max %s ms)", ls.Second, ls.Count, msText(ls.Max)))
			}
			fmt.Fprintf(w, "  late arrivals by second due (from the first start): %s\n", strings.Join(parts, ", "))
		}
		fmt.Fprintf(w, "  garbage collections in the load tool during the window: %d\n", tk.ToolGCs)
		if len(tk.Errors) > 0 {
			fmt.Fprintf(w, "  errors: %s\n", strings.Join(tk.Errors, "; "))
		}
		fmt.Fprintln(w)
	}
	if ch := r.Chat; ch != nil {
		fmt.Fprintf(w, "Chat: %d exercises × a team of %d, each member a %d-byte line every %s for %s (%.0f lines/s in all)\n",
			ch.Exercises, ch.TeamSize, ch.Size, ch.Interval, ch.Window, ch.Rate)
		fmt.Fprintf(w, "  lines: %d sent, %d acknowledged, %d refused; copies: %d expected, %d delivered, %d lost, %d duplicates, %d to another team\n",
			ch.Sent, ch.Acked, ch.Refused, ch.Expected, ch.Delivered, ch.Lost, ch.Duplicates, ch.Foreign)
		fmt.Fprintf(w, "  fan-out (receive − send), ms: p50 %s, p90 %s, p99 %s, max %s\n",
			msText(ch.Latency.P50), msText(ch.Latency.P90), msText(ch.Latency.P99), msText(ch.Latency.Max))
		fmt.Fprintf(w, "  server RSS %s MiB idle, %s MiB after; CPU %.1f s; dial failures %d, disconnects %d; load average %.1f\n",
			mib(ch.RSSIdle), mib(ch.RSSAfter), ch.CPU.Seconds(), ch.DialFailed, ch.Disconnected, ch.LoadAvg)
		if len(ch.Errors) > 0 {
			fmt.Fprintf(w, "  errors: %s\n", strings.Join(ch.Errors, "; "))
		}
		fmt.Fprintln(w)
	}
	if cs := r.ColdStart; cs != nil {
		fmt.Fprintf(w, "Cold start to the first 200 on /healthz (%d runs), ms: new database median %s max %s; restart median %s max %s\n\n",
			cs.Runs, msText(cs.First.P50), msText(cs.First.Max), msText(cs.Restart.P50), msText(cs.Restart.Max))
	}
	if len(r.Targets) > 0 {
		fmt.Fprintln(w, "Targets")
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, t := range r.Targets {
			verdict := "MISSED"
			switch {
			case t.Pass:
				verdict = "met"
			case t.NotAvailable:
				verdict = "n/a"
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", t.Name, t.Target, t.Measured, verdict)
		}
		tw.Flush()
	}
	if len(r.Errors) > 0 {
		fmt.Fprintf(w, "\nErrors:\n  %s\n", strings.Join(r.Errors, "\n  "))
	}
}

// writeMemorySlopes writes the marginal memory per idle connection
// between consecutive fan-out sizes, beside the absolute figure per size in
// the fan-out table (which fixed costs inflate at small sizes).
func (r *Report) writeMemorySlopes(w io.Writer) {
	if len(r.MemorySlopes) == 0 {
		return
	}
	fmt.Fprintln(w, "Memory per idle connection, marginal: growth of anonymous memory (idle − before connecting) from one size to the next,")
	fmt.Fprintln(w, "per connection added (one exercise, every team; reported runs), KiB")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "N\tttx\tbaseline\tttx/baseline\t")
	for _, s := range r.MemorySlopes {
		fmt.Fprintf(tw, "%d→%d\t%s\t%s\t%s\t\n", s.From, s.To, kibOf(s.TTX), kibOf(s.Baseline), ratioOf(s.Ratio))
	}
	tw.Flush()
	for _, s := range r.MemorySlopes {
		if len(s.Notes) > 0 {
			fmt.Fprintf(w, "  N=%d→%d not available: %s\n", s.From, s.To, strings.Join(s.Notes, "; "))
		}
	}
	fmt.Fprintln(w)
}

// kibOf is a figure that may not be available, in KiB.
func kibOf(b *float64) string {
	if b == nil {
		return "n/a"
	}
	return fmt.Sprintf("%.1f", *b/1024)
}

func ratioOf(f *float64) string {
	if f == nil {
		return "n/a"
	}
	return fmt.Sprintf("%.2f×", *f)
}

// writeFlood writes the flood comparison of every fan-out workload that has
// one: the measured clients' latency without and with the flood, and what
// the flooders sent and got back.
func (r *Report) writeFlood(w io.Writer) {
	var cases []*FanoutCase
	for _, fc := range r.Fanout {
		if fc.Flood != nil {
			cases = append(cases, fc)
		}
	}
	if len(cases) == 0 {
		return
	}
	fmt.Fprintln(w, "Flood: more participants send valid client messages at a fixed rate during the broadcast phase;")
	fmt.Fprintln(w, "latency and delivery are the other clients', unflooded and flooded runs interleaved, ms")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "N\tE\tflood\trun\tp50\tp90\tp99\tmax\tp99 from send\tdelivered\texpected\tdisconnected\tCPU ms/bcast\tload\t")
	for _, fc := range cases {
		c := fc.Config
		flood := fmt.Sprintf("%d×%g/s %s", c.Flood, c.FloodRate, c.FloodKind)
		row := func(label string, t *FanoutResult) {
			if t == nil {
				return
			}
			fmt.Fprintf(tw, "%d\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%d\t%d\t%.2f\t%.1f\t\n",
				c.Participants, c.Exercises, flood, label,
				msText(t.Latency.P50), msText(t.Latency.P90), msText(t.Latency.P99), msText(t.Latency.Max), msText(t.LatencySend.P99),
				t.Delivered, t.Expected, t.Disconnected, ms(t.CPUPerBroadcast), t.LoadAvg)
		}
		row("unflooded", fc.TTX)
		row("flooded", fc.Flood.TTX)
		if rt := fc.Flood.Ratios; rt != nil {
			fmt.Fprintf(tw, "\t\t\tflooded/unflooded\t%s\t%s\t%s\t%s\t%s\t\t\t\t%s\t\t\n",
				x(rt["p50"]), x(rt["p90"]), x(rt["p99"]), x(rt["max"]), x(rt["p99_from_send"]), x(rt["cpu_per_bcast"]))
		}
	}
	tw.Flush()
	for _, fc := range cases {
		n := fc.Config.Participants
		if f := fc.Flood.TTX; f != nil && f.Flood != nil {
			fl := f.Flood
			fmt.Fprintf(w, "  N=%d flooders (median flooded run, %.1f s): sent %d (%.1f/s each, %d skipped), answered %d (%.1f/s each: %d acks, %d errors), "+
				"%d rate_limited frames, %d closed with 1008, %d other closes, %d write errors, %d redials, %d rejoins, %d failed dials, %d refused (429)\n",
				n, fl.Duration.Seconds(), fl.Sent, fl.AchievedRate, fl.Skipped, fl.Acks+fl.OtherErrors, fl.AnsweredRate, fl.Acks, fl.OtherErrors,
				fl.RateLimited, fl.Closes, fl.OtherCloses, fl.WriteErrors, fl.Redials, fl.Rejoins, fl.DialFailed, fl.DialRefused)
			if len(fl.Errors) > 0 {
				fmt.Fprintf(w, "  N=%d flooder errors: %s\n", n, strings.Join(fl.Errors, "; "))
			}
			if len(f.Errors) > 0 {
				fmt.Fprintf(w, "  N=%d flooded run errors: %s\n", n, strings.Join(f.Errors, "; "))
			}
		}
		fmt.Fprintf(w, "  N=%d flood_ratio_p99 %s (target ≤ 2×); runs p99 (ms): unflooded %v, flooded %v; load average %v, %v\n",
			n, x(fc.Flood.RatioP99), fc.TTXp99, fc.Flood.RunsP99, fc.RunsLoad, fc.Flood.RunsLoad)
	}
	fmt.Fprintln(w)
}
