package io.switchboard.common.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** docs/configuration.md lists every key with its default: it is generated, and must match the code. */
class ConfigDocsTest {
  @Test
  void configurationReferenceMatchesTheKeys() throws Exception {
    Path doc = Path.of("..", "docs", "configuration.md");
    assertThat(doc).exists();
    String text = Files.readString(doc);
    assertThat(text)
        .as("docs/configuration.md is out of date: regenerate it with "
            + "java -cp launcher/target/switchboard.jar io.switchboard.common.config.ConfigDocs > docs/configuration.md")
        .isEqualTo(ConfigDocs.render());
    for (ConfigKey k : ConfigKeys.all()) {
      assertThat(text).contains("`" + k.path() + "`").contains(k.envName());
    }
  }
}
