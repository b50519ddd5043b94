package io.chatplatform.common.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * Latency buckets for http.server.requests (the dashboard's latency quantiles need
 * {@code http_server_requests_seconds_bucket}). A fixed handful of service-level boundaries instead
 * of Micrometer's full percentile histogram keeps the series count per route small.
 */
public class HttpServerHistogram {

    private static final double[] BOUNDARIES_SECONDS = { 0.005, 0.025, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 120 };

    @Produces
    @Singleton
    MeterFilter httpServerRequestBuckets() {
        double[] nanos = new double[BOUNDARIES_SECONDS.length]; // timers take boundaries in nanoseconds
        for (int i = 0; i < nanos.length; i++) {
            nanos[i] = BOUNDARIES_SECONDS[i] * 1e9;
        }
        return new MeterFilter() {
            @Override
            public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
                if (!"http.server.requests".equals(id.getName())) {
                    return config;
                }
                return DistributionStatisticConfig.builder().serviceLevelObjectives(nanos).build().merge(config);
            }
        };
    }
}
