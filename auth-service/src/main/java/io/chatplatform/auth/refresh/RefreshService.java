package io.chatplatform.auth.refresh;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.chatplatform.auth.AuthConfig;
import io.chatplatform.auth.Metrics;
import io.chatplatform.auth.Secrets;
import io.chatplatform.auth.token.AccessTokens;
import io.chatplatform.auth.user.User;
import io.chatplatform.auth.user.UserRepository;
import io.chatplatform.common.problem.ProblemException;
import io.chatplatform.common.token.TokenRevoker;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;

/**
 * Refresh token families: one per login, tokens rotated on every use and stored only as hashes.
 * An already-rotated token revokes its family, except within the grace window after its rotation,
 * where it gets the very pair its rotation produced (kept in Redis under
 * {@code auth:refresh:grace:{H(old)}}, sealed with a key derived from the old token itself).
 */
@ApplicationScoped
public class RefreshService {

    private static final Logger LOG = Logger.getLogger(RefreshService.class);
    static final String GRACE_PREFIX = "auth:refresh:grace:";

    /** What a login or a refresh hands to the client. */
    @RegisterForReflection
    public record Session(UUID userId, String email, String accessToken, long expiresIn, String refreshToken,
                          UUID familyId, long refreshMaxAgeSeconds) {
    }

    private final RefreshRepository families;
    private final UserRepository users;
    private final AccessTokens accessTokens;
    private final AuthConfig config;
    private final RedisDataSource redis;
    private final ObjectMapper mapper;
    private final Metrics metrics;
    private final Secrets secrets;
    private final TokenRevoker revoker;

    public RefreshService(RefreshRepository families, UserRepository users, AccessTokens accessTokens,
                          AuthConfig config, RedisDataSource redis, ObjectMapper mapper, Metrics metrics,
                          Secrets secrets, TokenRevoker revoker) {
        this.families = families;
        this.users = users;
        this.accessTokens = accessTokens;
        this.config = config;
        this.redis = redis;
        this.mapper = mapper;
        this.metrics = metrics;
        this.secrets = secrets;
        this.revoker = revoker;
    }

    /** Starts a new family for a fresh login. */
    @Transactional
    public Session start(User user, String userAgent) {
        OffsetDateTime now = now();
        RefreshFamily family = new RefreshFamily();
        family.id = UUID.randomUUID();
        family.userId = user.id;
        family.createdAt = now;
        family.lastUsedAt = now;
        family.expiresAt = now.plus(config.refresh().absoluteTtl());
        family.userAgent = truncate(userAgent);
        families.persist(family);
        return issue(family, user, now);
    }

    /** Rotates {@code presented}; reuse outside the grace window revokes the family (and commits that). */
    @Transactional(dontRollbackOn = ProblemException.class)
    public Session refresh(String presented, String userAgent) {
        if (presented == null || presented.isBlank()) {
            metrics.refresh("missing");
            throw ProblemException.unauthorized("No refresh token.");
        }
        byte[] hash = Secrets.sha256(presented);
        RefreshToken token = families.lockToken(hash).orElse(null);
        RefreshFamily family = token == null ? null : families.findById(token.familyId);
        if (family == null) {
            metrics.refresh("invalid");
            throw ProblemException.unauthorized("The refresh token is not valid.");
        }
        OffsetDateTime now = now();
        if (family.expiresAt.isBefore(now) || family.lastUsedAt.plus(config.refresh().idleTtl()).isBefore(now)) {
            families.revoke(family.id);
            metrics.refresh("expired");
            throw ProblemException.unauthorized("The session has expired; sign in again.");
        }
        if (token.rotatedAt != null) {
            if (!token.rotatedAt.plus(config.refresh().grace()).isBefore(now)) {
                String sealed = redis.value(String.class).get(graceKey(presented));
                String json = sealed == null ? null : Secrets.open(presented, sealed);
                if (json != null) {
                    try {
                        metrics.refresh("grace");
                        return mapper.readValue(json, Session.class);
                    } catch (JsonProcessingException e) {
                        LOG.warn("Unreadable refresh grace entry; treating the token as reused");
                    }
                }
            }
            revokeFamily(family.id);
            metrics.refresh("reuse");
            LOG.warnf("Refresh token reuse detected; revoked session %s of user %s", family.id, family.userId);
            throw ProblemException.unauthorized("The refresh token was already used; the session is revoked.");
        }
        User user = users.findById(family.userId);
        if (user == null) {
            families.revoke(family.id);
            metrics.refresh("invalid");
            throw ProblemException.unauthorized("The refresh token is not valid.");
        }
        token.rotatedAt = now;
        family.lastUsedAt = now;
        if (userAgent != null && !userAgent.isBlank()) {
            family.userAgent = truncate(userAgent);
        }
        Session session = issue(family, user, now);
        try {
            // written before the commit, so a parallel request that sees rotated_at also finds the entry
            redis.value(String.class).psetex(graceKey(presented),
                    Math.max(1, config.refresh().grace().toMillis()),
                    secrets.seal(presented, mapper.writeValueAsString(session)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        metrics.refresh("success");
        return session;
    }

    /** Revokes the family of {@code presented} (current or already rotated); unknown tokens are ignored. */
    @Transactional
    public void logout(String presented) {
        if (presented == null || presented.isBlank()) {
            return;
        }
        families.findToken(Secrets.sha256(presented)).ifPresent(t -> revokeFamily(t.familyId));
    }

    /** The family a presented token belongs to, if any (marks the caller's own device in the list). */
    @Transactional
    public UUID familyOf(String presented) {
        if (presented == null || presented.isBlank()) {
            return null;
        }
        return families.findToken(Secrets.sha256(presented)).map(t -> t.familyId).orElse(null);
    }

    @Transactional
    public List<RefreshFamily> list(UUID userId) {
        OffsetDateTime idleBefore = now().minus(config.refresh().idleTtl());
        OffsetDateTime now = now();
        return families.listForUser(userId).stream()
                .filter(f -> f.expiresAt.isAfter(now) && f.lastUsedAt.isAfter(idleBefore))
                .toList();
    }

    @Transactional
    public boolean revoke(UUID familyId, UUID userId) {
        boolean owned = families.revokeOwned(familyId, userId);
        if (owned) {
            revoker.revokeFamily(familyId.toString());
        }
        return owned;
    }

    /**
     * The family's refresh tokens go with its row, its access tokens ({@code sid}) with the revocation key. The key
     * is written inside the transaction: if Redis fails the row stays and the caller gets an error to retry, rather
     * than a sign-out that left live access tokens behind.
     */
    private void revokeFamily(UUID familyId) {
        families.revoke(familyId);
        revoker.revokeFamily(familyId.toString());
    }

    @Scheduled(every = "1h", delayed = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    @Transactional
    void purgeExpired() {
        OffsetDateTime now = now();
        long n = families.deleteExpired(now, now.minus(config.refresh().idleTtl()));
        if (n > 0) {
            LOG.infof("Purged %d expired refresh sessions", n);
        }
    }

    private Session issue(RefreshFamily family, User user, OffsetDateTime now) {
        String raw = secrets.token();
        RefreshToken token = new RefreshToken();
        token.tokenHash = Secrets.sha256(raw);
        token.familyId = family.id;
        token.createdAt = now;
        families.persistToken(token);
        AccessTokens.Issued access = accessTokens.issue(user.id, user.email, family.id);
        Duration left = Duration.between(now, family.expiresAt);
        long maxAge = Math.max(0, Math.min(config.refresh().idleTtl().toSeconds(), left.toSeconds()));
        return new Session(user.id, user.email, access.token(), access.expiresIn(), raw, family.id, maxAge);
    }

    /** {@code auth:refresh:grace:{H(old)}}: found only by whoever presents the old token. */
    private static String graceKey(String presented) {
        return GRACE_PREFIX + Secrets.sha256Hex(presented);
    }

    private static String truncate(String userAgent) {
        if (userAgent == null) {
            return null;
        }
        return userAgent.length() > 512 ? userAgent.substring(0, 512) : userAgent;
    }

    private static OffsetDateTime now() {
        return OffsetDateTime.now(ZoneOffset.UTC);
    }
}
