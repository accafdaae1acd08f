package loadtest

import (
	"context"
	"net/url"
)

// clusterHistogram sums histogram name over the /metrics of every node;
// ok is false when any node does not expose it, so that a partial sum is
// never reported as the cluster's.
func clusterHistogram(ctx context.Context, nodes []*url.URL, name string) (histogram, bool) {
	sum := histogram{le: map[string]float64{}}
	for _, n := range nodes {
		h, ok := metricHistogram(ctx, n, name)
		if !ok {
			return histogram{}, false
		}
		sum.count += h.count
		for le, v := range h.le {
			sum.le[le] += v
		}
	}
	return sum, true
}

// login opens the facilitator's session at the first node (the cookie
// serves every node of the cluster: one database) and, with
// SpreadExercises, has exercises created round-robin over the nodes.
func (e Endpoint) login(ctx context.Context, nodes []*url.URL, cred Credentials) (*facilitator, error) {
	f, err := login(ctx, nodes[0], cred)
	if err != nil {
		return nil, err
	}
	if e.SpreadExercises {
		f.createVia = nodes
	}
	return f, nil
}
