// Package loadtest owns ttx's load tool: it drives a running ttx server on
// loopback with simulated facilitators and participants over real HTTP and
// WebSockets, measures fan-out latency, delivery, memory and CPU, and runs
// the same workload against a minimal gorilla/websocket broadcast hub (the
// baseline) so that every figure can be read as a ratio. It also measures
// timer punctuality with many exercises ticking at once, and cold start.
//
// Servers run in child processes so that their CPU and memory figures are
// their own; the tool refuses any target that is not a loopback address.
// Every phase is bounded in count and time, and a run stops by itself.
package loadtest
