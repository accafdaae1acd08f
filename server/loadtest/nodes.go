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
