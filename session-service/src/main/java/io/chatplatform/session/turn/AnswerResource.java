package io.chatplatform.session.turn;

import io.chatplatform.common.problem.ProblemException;
import io.chatplatform.session.Params;
import io.chatplatform.session.SessionsConfig;
import io.chatplatform.session.message.Message;
import io.chatplatform.session.message.MessageService;
import io.chatplatform.session.turn.WriteGrants.Grant;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.Validator;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;

import java.util.UUID;

/**
 * The answer's write, called by chat-service with the turn's write grant ({@code Authorization: Grant
 * <write_grant>}) instead of the user's access token, which may have expired by the time a long answer
 * ends. The grant is checked before the body: only its holder learns whether a body would be accepted.
 */
@Path("/api/sessions/{id}/answers/{answer_id}")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class AnswerResource {

    private final AnswerService answers;
    private final WriteGrants grants;
    private final Validator validator;
    private final SessionsConfig config;

    public AnswerResource(AnswerService answers, WriteGrants grants, Validator validator, SessionsConfig config) {
        this.answers = answers;
        this.grants = grants;
        this.validator = validator;
        this.config = config;
    }

    @PUT
    public Message write(@PathParam("id") String id, @PathParam("answer_id") String answerId,
                         @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, WriteAnswer body) {
        UUID sid = Params.sessionId(id);
        UUID aid = Params.uuid("answer_id", answerId);
        Grant grant = grants.verify(authorization);
        if (!grant.sessionId().equals(sid) || !grant.answerId().equals(aid)) {
            throw ProblemException.forbidden("The write grant is for another answer.");
        }
        if (body == null) {
            throw ProblemException.badRequest("A request body is required.");
        }
        var violations = validator.validate(body);
        if (!violations.isEmpty()) {
            throw new ConstraintViolationException(violations);
        }
        String metadata = MessageService.metadata(body.metadata());
        MessageService.checkSize(body.content(), config.answerMaxBytes());
        return answers.write(grant, body.content(), metadata, body.finishReason());
    }
}
