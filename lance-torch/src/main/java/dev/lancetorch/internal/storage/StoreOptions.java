package dev.lancetorch.internal.storage;

import java.time.Duration;
import java.util.Map;

/**
 * What a remote or object-store database needs of the connection's options (the public {@code
 * ConnectOptions}, which makes it): the REST endpoint's host override, region, headers and API key,
 * the object store's options, and the time a namespace call may take.
 */
public record StoreOptions(
    String hostOverride,
    String region,
    Map<String, String> headers,
    String apiKey,
    Map<String, String> storageOptions,
    Duration requestTimeout) {}
