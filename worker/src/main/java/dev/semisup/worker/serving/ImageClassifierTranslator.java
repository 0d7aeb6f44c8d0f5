package dev.semisup.worker.serving;

import ai.djl.modality.Classifications;
import ai.djl.modality.Input;
import ai.djl.modality.Output;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.Batchifier;
import ai.djl.translate.TranslateException;
import ai.djl.translate.Translator;
import ai.djl.translate.TranslatorContext;
import dev.semisup.worker.data.ImageRecord;
import dev.semisup.worker.model.card.ModelCard;
import dev.semisup.worker.model.card.ModelInput;
import java.io.IOException;

/**
 * One request's image bytes to the model's input, and the network's scores to class
 * probabilities (softmax) over every class of the card, as JSON
 * ({@code [{"className": ..., "probability": ...}, ...]}, most probable first). The preprocessing
 * is {@code semisup predict}'s ({@link ModelInput}), so both give the same probabilities.
 */
final class ImageClassifierTranslator implements Translator<Input, Output> {

  private final ModelCard card;
  private final ModelInput modelInput;

  ImageClassifierTranslator(ModelCard card) {
    this.card = card;
    this.modelInput = new ModelInput(card);
  }

  @Override
  public NDList processInput(TranslatorContext context, Input input) throws IOException, TranslateException {
    if (input.getData() == null) {
      throw new TranslateException("the request has no image");
    }
    ImageRecord image = modelInput.decode(input.getData().getAsBytes(), 0, "request", ImageRecord.UNLABELED);
    float[] floats = new float[modelInput.floatsPerImage()];
    modelInput.write(image, floats, 0);
    NDArray array = context.getNDManager().create(floats, new Shape(card.channels(), card.imageSize(), card.imageSize()));
    return new NDList(array);
  }

  @Override
  public Output processOutput(TranslatorContext context, NDList list) {
    NDArray probabilities = list.singletonOrThrow().softmax(0);
    Classifications classifications = new Classifications(card.classes(), probabilities, card.classes().size());
    Output output = new Output();
    output.addProperty("Content-Type", "application/json");
    output.add(classifications);
    return output;
  }

  @Override
  public Batchifier getBatchifier() {
    return Batchifier.STACK;
  }
}
