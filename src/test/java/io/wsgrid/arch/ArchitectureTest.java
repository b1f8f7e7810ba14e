package io.wsgrid.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The rules the README's Layout states, held by the build: what a package may know of the others. A
 * failure names the class and the dependency that broke the rule; move the code to the package the
 * rule allows (or, if the rule itself is wrong, change it here and in the README together).
 */
class ArchitectureTest {
  private static JavaClasses product;

  @BeforeAll
  static void importProduct() {
    product =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.wsgrid");
  }

  /** Strategies are plain Java: unit-testable without a cluster, reusable by any balancer. */
  private static final ArchRule strategiesKnowNoFramework =
      noClasses()
          .that()
          .resideInAPackage("io.wsgrid.edge.balance..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("io.vertx..", "io.netty..", "com.hazelcast..")
          .because("balancing strategies decide from candidates and counts only (README: Layout)");

  /** The wire protocol is shared by nodes, edges, clients and the bench: it knows none of them. */
  private static final ArchRule protocolKnowsNoServer =
      noClasses()
          .that()
          .resideInAPackage("io.wsgrid.protocol..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "io.wsgrid.node..",
              "io.wsgrid.edge..",
              "io.wsgrid.session..",
              "io.wsgrid.broker..",
              "io.wsgrid.cluster..",
              "io.wsgrid.client..",
              "io.wsgrid.cli..",
              "io.wsgrid.bench..")
          .because("the protocol is the contract every side speaks (README: Layout)");

  /** The broker orders and carries publications; sessions listen to it, never the other way. */
  private static final ArchRule brokerKnowsNoSession =
      noClasses()
          .that()
          .resideInAPackage("io.wsgrid.broker..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "io.wsgrid.session..", "io.wsgrid.node..", "io.wsgrid.edge..", "io.wsgrid.cli..")
          .because(
              "sessions subscribe through the Broker interface and ChannelListener (README: Layout)");

  /** The publication log is the broker's storage seam: it knows nothing of delivering. */
  private static final ArchRule logKnowsNoDelivery =
      noClasses()
          .that()
          .resideInAPackage("io.wsgrid.broker.log..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("io.vertx..", "io.wsgrid.session..", "io.wsgrid.protocol..")
          .because(
              "a PublicationLog stores and orders bytes; framing and delivery are the broker's (README: Layout)");

  /** The client library runs in applications: it must not drag the server in. */
  private static final ArchRule clientKnowsNoServer =
      noClasses()
          .that()
          .resideInAPackage("io.wsgrid.client..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "io.wsgrid.node..",
              "io.wsgrid.edge..",
              "io.wsgrid.session..",
              "io.wsgrid.broker..",
              "io.wsgrid.cluster..")
          .because("WsgridClient speaks the protocol only (README: Layout)");

  /** No two packages need each other: each floor can be read, tested and changed from below. */
  private static final ArchRule noPackageCycles =
      slices().matching("io.wsgrid.(**)").should().beFreeOfCycles();

  @Test
  void strategiesKnowNoFramework() {
    strategiesKnowNoFramework.check(product);
  }

  @Test
  void protocolKnowsNoServer() {
    protocolKnowsNoServer.check(product);
  }

  @Test
  void brokerKnowsNoSession() {
    brokerKnowsNoSession.check(product);
  }

  @Test
  void logKnowsNoDelivery() {
    logKnowsNoDelivery.check(product);
  }

  @Test
  void clientKnowsNoServer() {
    clientKnowsNoServer.check(product);
  }

  @Test
  void noPackageCycles() {
    noPackageCycles.check(product);
  }
}
