package io.chatplatform.common.validation;

import jakarta.inject.Singleton;
import jakarta.validation.Path;
import jakarta.validation.TraversableResolver;

import java.lang.annotation.ElementType;

/**
 * Bean Validation may read every property: what it validates are request records, and the few entities have no
 * lazy state. With Hibernate ORM present, Quarkus' default resolver asks JPA whether each validated property of
 * each body is loaded, and for a record (no entity) JPA answers by throwing and catching an exception per
 * property: a stack trace filled in for every field of every request (seen in profiles of session-service's
 * begin-turn and answer writes). Quarkus uses a {@link TraversableResolver} bean when there is one.
 */
@Singleton
public class TraverseAll implements TraversableResolver {

    @Override
    public boolean isReachable(Object traversableObject, Path.Node traversableProperty, Class<?> rootBeanType,
                               Path pathToTraversableObject, ElementType elementType) {
        return true;
    }

    @Override
    public boolean isCascadable(Object traversableObject, Path.Node traversableProperty, Class<?> rootBeanType,
                                Path pathToTraversableObject, ElementType elementType) {
        return true;
    }
}
