package dev.lancetorch.demo;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.net.URL;
import org.junit.jupiter.api.Test;

/**
 * The examples' logging (src/main/resources/logback.xml, the binding {@code make demo} runs with):
 * JavaCPP's known version-mismatch warning for the pinned versions is dropped, any other warning
 * (that one for other versions included) is printed, and lance-torch's INFO lines pass.
 */
class DemoLoggingTest {
  @Test
  void onlyTheKnownJavacppWarningIsDropped() throws Exception {
    // the main logback.xml (tests otherwise run with logback-test.xml), as Maven filtered it
    URL config = DemoLoggingTest.class.getResource("/logback.xml");
    assertThat(config).as("examples' logback.xml on the runtime classpath").isNotNull();
    LoggerContext context = new LoggerContext();
    JoranConfigurator joran = new JoranConfigurator();
    joran.setContext(context);
    joran.doConfigure(config);
    ListAppender<ILoggingEvent> seen = new ListAppender<>();
    seen.setContext(context);
    seen.start();
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.addAppender(seen);

    Logger javacpp = context.getLogger("org.bytedeco.javacpp.Loader");
    String pinned =
        "Versions of org.bytedeco:javacpp:"
            + org.bytedeco.javacpp.Loader.getVersion()
            + " and org.bytedeco:openblas:"
            + org.bytedeco.javacpp.Loader.getVersion("org.bytedeco", "openblas")
            + " do not match.";
    javacpp.warn(pinned);
    javacpp.warn(
        "Versions of org.bytedeco:javacpp:1.5.14 and org.bytedeco:openblas:9.9 do not match.");
    javacpp.warn("Could not create symbolic link");
    context.getLogger("dev.lancetorch.threads.ThreadBudget").info("thread budget");
    context.getLogger("org.apache.arrow").info("arrow chatter");

    assertThat(seen.list)
        .extracting(ILoggingEvent::getFormattedMessage)
        .containsExactly(
            "Versions of org.bytedeco:javacpp:1.5.14 and org.bytedeco:openblas:9.9 do not match.",
            "Could not create symbolic link",
            "thread budget");
    context.stop();
  }
}
