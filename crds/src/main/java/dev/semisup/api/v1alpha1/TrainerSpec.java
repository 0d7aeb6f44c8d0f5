package dev.semisup.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import java.util.List;

/**
 * The container that runs the torch-ddp steps. Either field may be left out: the operator's
 * trainer image, and the torchrun line of the trainer contract (docs/cluster.md).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TrainerSpec {

  public static final int MAX_COMMAND_WORDS = 64;

  @JsonPropertyDescription("Trainer image of the torch-ddp steps; default: the operator's (TRAINER_IMAGE)")
  private String image;

  @Size(max = MAX_COMMAND_WORDS)
  @JsonPropertyDescription("The container command instead of the default torchrun line, e.g. your own trainer"
      + " honouring the same contract; the step id is its argument")
  private List<String> command;

  public String getImage() { return image; }
  public void setImage(String image) { this.image = image; }
  public List<String> getCommand() { return command; }
  public void setCommand(List<String> command) { this.command = command; }
}
